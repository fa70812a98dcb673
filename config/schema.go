package config

import (
	"encoding/json"
	"fmt"
)

// keyDocs describes every key the parser accepts, by section. Schema builds
// the JSON Schema from the parser's own key lists, value tables (tables.go)
// and these descriptions, so the two cannot drift apart:
// TestSchemaCoversEveryKey fails on a key without a description.
var keyDocs = map[string]map[string]string{
	"": {
		"version":        "Mapping format version. Always 1.",
		"triggerVersion": "The LambdaVersion the user pool's trigger is set to (V1_0, V2_0 or V3_0); lets lint check more.",
		"timeout":        fmt.Sprintf("Time budget for all lookups of one event, e.g. 2s or 1500ms; at most %s. Default %s.", MaxTimeout, DefaultTimeout),
		"onClaimError":   "What an expression error in a claim, in groups or in a scope rule does, unless it sets its own onError: omit (leave it out, the default) or fail (the sign-in fails).",
		"sources":        "DynamoDB lookups, by name; each name becomes a variable in expressions.",
		"claims":         "Claims to add or override, by claim name: an expression, or an object with value/const, when and tokens.",
		"suppress":       "Claims to remove from the tokens: names, or objects with claim, when and tokens.",
		"groups":         "Override the groups, IAM roles and preferred role Cognito puts in the tokens.",
		"scopes":         "Add or remove access-token scopes (V2_0 and V3_0 triggers only).",
		"tests":          "Inline tests run by `claimsmapper test`; ignored by the Lambda. See docs/mapping.md.",
	},
	"source": {
		"table":          "DynamoDB table name; ${VAR} reads an environment variable.",
		"index":          "Secondary index to query (query sources only).",
		"key":            "Look up one item: the key attribute(s) and an expression for each value.",
		"query":          "Look up a list of items: partition key equality and an optional sort-key prefix.",
		"limit":          fmt.Sprintf("Most items a query source returns (%d to %d).", minLimit, maxLimit),
		"consistentRead": "Use strongly consistent reads. Default false.",
		"onError":        "What a failed lookup does: ignore (log it, treat as not found; the default) or fail (the sign-in fails).",
		"when":           "Expression: look up only when true; otherwise the variable is nil.",
		"cache":          "Cache results in the Lambda instance for this long, e.g. 30s, or { ttl: 30s, maxBytes: 1MB } to bound its memory (default 4MB). Off by default.",
	},
	"query": {
		"partition":      "The partition key attribute and an expression for its value.",
		"sortBeginsWith": "The sort key attribute and an expression for the prefix its value must begin with.",
	},
	"claim": {
		"value":   "Expression giving the claim's value; nil leaves the claim out.",
		"const":   "A fixed value for the claim (text, number, true/false or a list).",
		"when":    "Expression: set the claim only when true.",
		"tokens":  "Which tokens get the claim: [id], [access] or both (the default).",
		"onError": "What an error in this claim does: omit (leave it out) or fail (the sign-in fails). Default: the mapping's onClaimError.",
	},
	"suppress": {
		"claim":  "Name of the claim to remove.",
		"when":   "Expression: remove it only when true.",
		"tokens": "Which tokens lose the claim: [id], [access] or both (the default).",
	},
	"groups": {
		"override":      "Expression giving the list of groups (cognito:groups).",
		"iamRoles":      "Expression giving the list of IAM role ARNs (cognito:roles).",
		"preferredRole": "Expression giving the preferred IAM role ARN (cognito:preferred_role).",
		"onError":       "What an error in these expressions does: omit (keep the request's value) or fail (the sign-in fails). Default: the mapping's onClaimError.",
	},
	"scopes": {
		"add":      "Scopes to add: expressions giving a scope or a list, or objects with value and when.",
		"suppress": "Scopes to remove: expressions giving a scope or a list, or objects with value and when.",
	},
	"scopeRule": {
		"value":   "Expression giving a scope or a list of scopes.",
		"when":    "Expression: apply only when true.",
		"onError": "What an error in this rule does: omit (skip the rule) or fail (the sign-in fails). Default: the mapping's onClaimError.",
	},
}

// keyLists are the parser's key lists, by the section keyDocs names them.
var keyLists = map[string][]string{
	"": topKeys, "source": sourceKeys, "query": queryKeys, "claim": claimKeys,
	"suppress": suppressKeys, "groups": groupKeys, "scopes": scopeKeys, "scopeRule": scopeRuleKeys,
}

type schema = map[string]any

// Schema returns the JSON Schema of the mapping format, for editors (the
// yaml-language-server modeline) and other tools.
func Schema() []byte {
	props := func(section string, types map[string]schema) schema {
		out := schema{}
		for _, k := range keyLists[section] {
			s := schema{}
			for tk, tv := range types[k] {
				s[tk] = tv
			}
			s["description"] = keyDocs[section][k]
			out[k] = s
		}
		return out
	}
	object := func(section string, types map[string]schema, required ...string) schema {
		s := schema{"type": "object", "additionalProperties": false, "properties": props(section, types)}
		if len(required) > 0 {
			s["required"] = required
		}
		return s
	}
	// An expression is YAML text; a bare number or true/false is one too.
	expr := schema{"type": []string{"string", "number", "boolean"}}
	keyValue := schema{"type": "object", "minProperties": 1, "maxProperties": 2, "additionalProperties": expr}
	tokenName := schema{"enum": tokenNameList()}
	tokens := schema{"anyOf": []any{tokenName, schema{"type": "array", "items": tokenName, "uniqueItems": true, "minItems": 1}}}
	duration := schema{"type": "string", "pattern": durationPattern}
	policy := schema{"enum": policyNames(claimErrorPolicies)}
	rule := schema{"anyOf": []any{expr, schema{"$ref": "#/$defs/scopeRule"}}}
	root := object("", map[string]schema{
		"version":        {"const": Current},
		"triggerVersion": {"enum": triggerVersions},
		"timeout":        duration,
		"onClaimError":   policy,
		"sources":        {"type": "object", "additionalProperties": schema{"$ref": "#/$defs/source"}},
		"claims":         {"type": "object", "additionalProperties": schema{"anyOf": []any{expr, schema{"$ref": "#/$defs/claim"}}}},
		"suppress":       {"type": "array", "items": schema{"anyOf": []any{schema{"type": "string"}, schema{"$ref": "#/$defs/suppress"}}}},
		"groups":         {"$ref": "#/$defs/groups"},
		"scopes":         {"$ref": "#/$defs/scopes"},
		"tests":          {"type": "array", "items": schema{"type": "object"}},
	}, "version")
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["title"] = "claimsmapper mapping"
	root["$defs"] = schema{
		"source": object("source", map[string]schema{
			"table": {"type": "string"}, "index": {"type": "string"}, "key": keyValue,
			"query":          {"$ref": "#/$defs/query"},
			"limit":          {"type": "integer", "minimum": minLimit, "maximum": maxLimit},
			"consistentRead": {"type": "boolean"}, "onError": {"enum": policyNames(sourceErrorPolicies)},
			"when": expr, "cache": {"oneOf": []schema{duration, {"type": "object", "additionalProperties": false, "required": []string{"ttl"},
				"properties": schema{"ttl": duration, "maxBytes": schema{"type": []string{"string", "integer"}}}}}},
		}, "table"),
		"query":     object("query", map[string]schema{"partition": keyValue, "sortBeginsWith": keyValue}, "partition"),
		"claim":     object("claim", map[string]schema{"value": expr, "when": expr, "tokens": tokens, "onError": policy}),
		"suppress":  object("suppress", map[string]schema{"claim": {"type": "string"}, "when": expr, "tokens": tokens}, "claim"),
		"groups":    object("groups", map[string]schema{"override": expr, "iamRoles": expr, "preferredRole": expr, "onError": policy}),
		"scopes":    object("scopes", map[string]schema{"add": {"type": "array", "items": rule}, "suppress": {"type": "array", "items": rule}}),
		"scopeRule": object("scopeRule", map[string]schema{"value": expr, "when": expr, "onError": policy}, "value"),
	}
	b, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("config: schema: %v", err)) // a fixed structure: cannot fail
	}
	return append(b, '\n')
}
