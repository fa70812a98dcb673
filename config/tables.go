package config

import "strings"

// The values the parser accepts where a setting has a fixed set or range.
// Schema builds the JSON Schema's enums and ranges from these same tables,
// and TestSchemaMatchesTheParser holds the schema's patterns to the parser.
var (
	// triggerVersions are the user pool's LambdaVersion settings.
	triggerVersions = []string{"V1_0", "V2_0", "V3_0"}
	// claimErrorPolicies are onClaimError's values; the first is the default.
	claimErrorPolicies = []ErrorPolicy{Omit, Fail}
	// sourceErrorPolicies are a source's onError values; the first is the
	// default.
	sourceErrorPolicies = []ErrorPolicy{Ignore, Fail}
	// tokenNames are the names tokens: accepts, with the token each means.
	tokenNames = []struct {
		name  string
		token Tokens
	}{{"id", IDToken}, {"access", AccessToken}}
)

// The range of a query source's limit.
const (
	minLimit = 1
	maxLimit = 1000
)

// durationPattern is the text time.ParseDuration reads (with no sign but
// +, as a duration here must be positive), for the schema's timeout and
// cache.
const durationPattern = `^\+?(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$`

func policyNames(ps []ErrorPolicy) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = string(p)
	}
	return out
}

func tokenNamed(s string) (Tokens, bool) {
	for _, t := range tokenNames {
		if t.name == s {
			return t.token, true
		}
	}
	return 0, false
}

// orList writes a, b or c.
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func tokenNameList() []string {
	out := make([]string, len(tokenNames))
	for i, t := range tokenNames {
		out[i] = t.name
	}
	return out
}
