package config

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

var sourceKeys = []string{"table", "index", "key", "query", "limit", "consistentRead", "onError", "when", "cache"}

// reservedNames cannot name a source: expressions already use them.
var reservedNames = []string{"event", "nil", "true", "false", "in", "not", "and", "or", "matches",
	"contains", "startsWith", "endsWith", "let", "if", "else", "len", "map", "filter", "all", "any",
	"none", "one", "count", "sum", "find", "env", "now", "date", "duration"}

func (p *parser) sources(n *yaml.Node) []*Source {
	var out []*Source
	for _, e := range p.r.Ordered(n, "sources") {
		name := e.Key.Value
		path := yamlnode.Join("sources", name)
		if !yamlnode.IsIdent(name) {
			p.errorf(e.Key, path, "source-name", "source name %q can be used in expressions only if it is made of letters, digits and _ and starts with a letter", name)
			continue
		}
		if slices.Contains(reservedNames, name) {
			p.errorf(e.Key, path, "source-name", "source name %q is already a word of the expression language; choose another name", name)
			continue
		}
		if src := p.source(e, path); src != nil {
			out = append(out, src)
		}
	}
	return out
}

func (p *parser) source(e yamlnode.Entry, path string) *Source {
	f := p.r.Object(e.Val, path, sourceKeys)
	if f == nil {
		return nil
	}
	s := &Source{Name: e.Key.Value, Pos: Pos{e.Key.Line, e.Key.Column}, OnError: sourceErrorPolicies[0]}
	p.cur = s
	if t, ok := f["table"]; ok {
		if v, ok := p.r.Str(t.Val, path+".table"); ok {
			s.Table = p.dynamoName(t.Val, path+".table", "table", v)
		}
	} else {
		p.errorf(e.Key, path, "required", "source %q has no table; add \"table: TableName\"", s.Name)
	}
	if t, ok := f["index"]; ok {
		if v, ok := p.r.Str(t.Val, path+".index"); ok {
			s.Index = p.dynamoName(t.Val, path+".index", "index", v)
		}
	}
	key, hasKey := f["key"]
	query, hasQuery := f["query"]
	switch {
	case hasKey && hasQuery:
		p.errorf(query.Key, path, "source-kind", "source %q has both key: and query:; use key: to read one item or query: to read a list", s.Name)
	case !hasKey && !hasQuery:
		p.errorf(e.Key, path, "required", "source %q needs key: (one item) or query: (a list of items)", s.Name)
	case hasKey:
		s.Key = p.keyValues(key.Val, path+".key", 0)
		if s.Index != "" {
			p.errorf(f["index"].Key, path+".index", "source-kind", "an index can only be read with query:, not key:; use query: with partition:")
		}
	default:
		s.Query = p.query(query.Val, path+".query")
	}
	if t, ok := f["limit"]; ok {
		if v, ok := p.r.Int(t.Val, path+".limit"); ok {
			switch {
			case !hasQuery:
				p.errorf(t.Key, path+".limit", "source-kind", "limit applies only to query: sources")
			case v < minLimit || v > maxLimit:
				p.errorf(t.Val, path+".limit", "range", "limit should be between %d and %d, not %d", minLimit, maxLimit, v)
			}
			s.Limit = v
		}
	}
	if t, ok := f["consistentRead"]; ok {
		s.ConsistentRead, _ = p.r.Bool(t.Val, path+".consistentRead")
	}
	if t, ok := f["onError"]; ok {
		s.OnError = p.policy(t.Val, path+".onError", sourceErrorPolicies...)
	}
	if t, ok := f["when"]; ok {
		s.When = p.expr(t.Val, path+".when")
	}
	if t, ok := f["cache"]; ok {
		p.cache(t.Val, path+".cache", s)
	}
	return s
}

// keyValues reads "attribute: expression" lines; exactly > 0 requires that many.
func (p *parser) keyValues(n *yaml.Node, path string, exactly int) []KeyValue {
	entries := p.r.Ordered(n, path)
	isMap := yamlnode.Deref(n).Kind == yaml.MappingNode
	var out []KeyValue
	for _, e := range entries {
		if x := p.expr(e.Val, yamlnode.Join(path, e.Key.Value)); x != nil {
			out = append(out, KeyValue{Attr: e.Key.Value, Value: x})
		}
	}
	switch {
	case !isMap:
	case len(entries) == 0:
		example := "userName: event.userName"
		if strings.HasSuffix(path, ".sortBeginsWith") {
			example = `SK: '"TENANT#"'`
		}
		p.errorf(yamlnode.Deref(n), path, "required", "%s is empty; name the key attribute and its value, e.g. %s", path, example)
	case exactly > 0 && len(entries) != exactly:
		p.errorf(yamlnode.Deref(n), path, "type", "%s should name exactly one attribute, not %d", path, len(entries))
	case len(entries) > 2:
		p.errorf(yamlnode.Deref(n), path, "type", "%s names %d attributes; a DynamoDB key has a partition key and at most a sort key", path, len(entries))
	}
	return out
}

func (p *parser) query(n *yaml.Node, path string) *Query {
	f := p.r.Object(n, path, queryKeys)
	if f == nil {
		return nil
	}
	q := &Query{}
	if e, ok := f["partition"]; ok {
		if kv := p.keyValues(e.Val, path+".partition", 1); len(kv) == 1 {
			q.Partition = kv[0]
		}
	} else {
		p.errorf(yamlnode.Deref(n), path, "required", "%s needs partition: with the partition key and its value", path)
	}
	if e, ok := f["sortBeginsWith"]; ok {
		if kv := p.keyValues(e.Val, path+".sortBeginsWith", 1); len(kv) == 1 {
			q.SortBeginsWith = &kv[0]
		}
	}
	return q
}

var (
	claimKeys     = []string{"value", "const", "when", "tokens", "onError"}
	suppressKeys  = []string{"claim", "when", "tokens"}
	groupKeys     = []string{"override", "iamRoles", "preferredRole", "onError"}
	scopeKeys     = []string{"add", "suppress"}
	scopeRuleKeys = []string{"value", "when", "onError"}
	queryKeys     = []string{"partition", "sortBeginsWith"}
)

func (p *parser) claims(n *yaml.Node) []*Claim {
	var out []*Claim
	var prev *yaml.Node
	entries := p.r.Ordered(n, "claims")
	for i := 0; i < len(entries); i++ {
		e := entries[i]
		name := e.Key.Value
		path := yamlnode.Join("claims", name)
		c := &Claim{Name: name, Pos: Pos{e.Key.Line, e.Key.Column}, Tokens: BothTokens}
		v := yamlnode.Deref(e.Val)
		above := prev
		prev = v
		if p.optionAsClaim(e, above, path) {
			continue
		}
		if n := p.settingsBelow(e, v, entries[i+1:], path); n > 0 {
			i += n
			continue
		}
		if v.Kind == yaml.ScalarNode && v.Tag != "!!null" {
			c.Value = p.expr(v, path)
		} else if v.Kind == yaml.MappingNode {
			f := p.r.Object(v, path, claimKeys)
			val, hasVal := f["value"]
			cst, hasConst := f["const"]
			switch {
			case hasVal && hasConst:
				p.errorf(cst.Key, path, "claim-value", "claim %q has both value: and const:; keep one", name)
			case hasVal:
				c.Value = p.expr(val.Val, path+".value")
			case hasConst:
				c.Const = p.constValue(c, cst.Val, path+".const")
			default:
				p.errorf(e.Key, path, "required", "claim %q needs value: (an expression) or const: (a fixed value)", name)
			}
			if w, ok := f["when"]; ok {
				c.When = p.expr(w.Val, path+".when")
			}
			if t, ok := f["tokens"]; ok {
				c.Tokens = p.tokens(t.Val, path+".tokens")
			}
			if t, ok := f["onError"]; ok {
				c.OnError = p.policy(t.Val, path+".onError", claimErrorPolicies...)
				if hasConst && !hasVal && c.When == nil {
					p.report(t.Key, path+".onError", "on-error-unused", SevWarning, "claim %q is a const: without when:, which cannot fail, so onError never applies; remove it", name)
				}
			}
		} else {
			p.errorf(v, path, "required", "claim %q needs an expression such as user.FirstName, or value:/const: lines, not %s", name, yamlnode.Describe(v))
			continue
		}
		if rule, msg := nameProblem(name, c.Tokens, false); rule != "" {
			p.errorf(e.Key, path, rule, "%s", msg)
		}
		out = append(out, c)
	}
	return out
}

// settingsBelow reports an empty claim followed, at its own indentation,
// by lines named like its settings (value:, const:, when:, ...): what
// Enter after "is_admin:" gives in an editor that does not indent, so
// YAML reads is_admin as empty and const as a claim of its own. The
// finding points at those lines, which are what to fix, and it returns how
// many of them there are, so that they are not read as claims too.
func (p *parser) settingsBelow(e yamlnode.Entry, v *yaml.Node, rest []yamlnode.Entry, path string) int {
	if v.Kind != yaml.ScalarNode || v.Tag != "!!null" || v.Value != "" {
		return 0
	}
	n := 0
	for _, r := range rest {
		if r.Key.Column != e.Key.Column || !slices.Contains(claimKeys, r.Key.Value) {
			break
		}
		n++
	}
	if n == 0 {
		return 0
	}
	first := rest[0].Key
	also := ""
	if n > 1 {
		also = fmt.Sprintf(" (and the %d line(s) of settings after it)", n-1)
	}
	p.report(first, path, "indentation", SevError, "claim %q is empty, and `%s:` on line %d, at the same indentation, is read as a claim of its own; indent `%s:`%s by two more spaces, to column %d, to make it a setting of %q",
		e.Key.Value, first.Value, first.Line, first.Value, also, e.Key.Column+2, e.Key.Value)
	return n
}

// optionAsClaim reports a claim named like a claim option (tokens:, when:)
// right after a claim written with options: almost always that option,
// indented less than its siblings, so YAML made it a claim of its own. It
// is an error when the value could not be a claim anyway, a warning
// otherwise (a claim may be called "value"), and reports whether it was an
// error.
func (p *parser) optionAsClaim(e yamlnode.Entry, above *yaml.Node, path string) bool {
	if !slices.Contains(claimKeys, e.Key.Value) || above == nil || above.Kind != yaml.MappingNode || len(above.Content) < 2 {
		return false
	}
	last := yamlnode.Deref(above.Content[len(above.Content)-2])
	if last.Column <= e.Key.Column {
		return false
	}
	sev := SevWarning
	if v := yamlnode.Deref(e.Val); v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
		sev = SevError
	}
	p.report(e.Key, path, "indentation", sev, "line %d is indented less than `%s:` on line %d, so YAML reads %q as a claim of its own, not as an option of the claim above; line it up with `%s:` (column %d)",
		e.Key.Line, last.Value, last.Line, e.Key.Value, last.Value, last.Column)
	return sev == SevError
}

func (p *parser) suppressions(n *yaml.Node) []*Suppression {
	n = yamlnode.Deref(n)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "suppress", "type", "suppress should be a list of claim names, not %s", yamlnode.Describe(n))
		return nil
	}
	var out []*Suppression
	for i, it := range n.Content {
		path := "suppress[" + strconv.Itoa(i) + "]"
		it = yamlnode.Deref(it)
		s := &Suppression{Pos: Pos{it.Line, it.Column}, Tokens: BothTokens}
		named := false // the claim's name was read as text, maybe empty
		if it.Kind == yaml.MappingNode {
			f := p.r.Object(it, path, suppressKeys)
			if e, ok := f["claim"]; ok {
				s.Claim, named = p.r.Str(e.Val, path+".claim")
			} else if f != nil {
				p.errorf(it, path, "required", "%s needs claim: with the name of the claim to remove", path)
			}
			if e, ok := f["when"]; ok {
				s.When = p.expr(e.Val, path+".when")
			}
			if e, ok := f["tokens"]; ok {
				s.Tokens = p.tokens(e.Val, path+".tokens")
			}
		} else if name, ok := p.r.Str(it, path); ok {
			s.Claim, named = name, true
		}
		if rule, msg := nameProblem(s.Claim, s.Tokens, true); rule != "" && named {
			p.errorf(it, path, rule, "%s", msg)
		}
		if s.Claim == "" {
			continue
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) groups(n *yaml.Node) *Groups {
	f := p.r.Object(n, "groups", groupKeys)
	if f == nil {
		return nil
	}
	g := &Groups{}
	if e, ok := f["override"]; ok {
		g.Override = p.expr(e.Val, "groups.override")
	}
	if e, ok := f["iamRoles"]; ok {
		g.IAMRoles = p.expr(e.Val, "groups.iamRoles")
	}
	if e, ok := f["preferredRole"]; ok {
		g.PreferredRole = p.expr(e.Val, "groups.preferredRole")
	}
	if e, ok := f["onError"]; ok {
		g.OnError = p.policy(e.Val, "groups.onError", claimErrorPolicies...)
	}
	return g
}

func (p *parser) scopes(n *yaml.Node) *Scopes {
	f := p.r.Object(n, "scopes", scopeKeys)
	if f == nil {
		return nil
	}
	s := &Scopes{}
	if e, ok := f["add"]; ok {
		s.Add = p.scopeRules(e.Val, "scopes.add")
	}
	if e, ok := f["suppress"]; ok {
		s.Suppress = p.scopeRules(e.Val, "scopes.suppress")
	}
	return s
}

func (p *parser) scopeRules(n *yaml.Node, path string) []*ScopeRule {
	n = yamlnode.Deref(n)
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, path, "type", "%s should be a list of expressions such as '\"orders/read\"', not %s", path, yamlnode.Describe(n))
		return nil
	}
	var out []*ScopeRule
	for i, it := range n.Content {
		ip := path + "[" + strconv.Itoa(i) + "]"
		it = yamlnode.Deref(it)
		r := &ScopeRule{}
		if it.Kind == yaml.MappingNode {
			f := p.r.Object(it, ip, scopeRuleKeys)
			if e, ok := f["value"]; ok {
				r.Value = p.expr(e.Val, ip+".value")
			} else if f != nil {
				p.errorf(it, ip, "required", "%s needs value: with an expression such as '\"orders/read\"'", ip)
			}
			if e, ok := f["when"]; ok {
				r.When = p.expr(e.Val, ip+".when")
			}
			if e, ok := f["onError"]; ok {
				r.OnError = p.policy(e.Val, ip+".onError", claimErrorPolicies...)
			}
		} else {
			r.Value = p.expr(it, ip)
		}
		if r.Value != nil {
			out = append(out, r)
		}
	}
	return out
}

// crossChecks are the rules that look at more than one section.
func (p *parser) crossChecks(m *Mapping) {
	if m.TriggerVersion == "V1_0" {
		for _, c := range m.Claims {
			if c.Tokens == AccessToken {
				p.findings = append(p.findings, Finding{File: p.file, Pos: c.Pos, Path: yamlnode.Join("claims", c.Name) + ".tokens", Severity: SevError, Rule: "v1-access",
					Message: "V1_0 triggers change only the ID token, so this access-token claim would never appear; set triggerVersion: V2_0 or use tokens: [id]"})
			}
		}
	}
	suppressed := map[string]Tokens{}
	for _, s := range m.Suppress {
		if s.When == nil {
			suppressed[s.Claim] |= s.Tokens
		}
	}
	for _, c := range m.Claims {
		if t := suppressed[c.Name] & c.Tokens; t != 0 {
			p.findings = append(p.findings, Finding{File: p.file, Pos: c.Pos, Path: yamlnode.Join("claims", c.Name), Severity: SevWarning, Rule: "added-and-suppressed",
				Message: "claim \"" + c.Name + "\" is also in suppress:, and Cognito applies the suppression, so it never appears in " + t.String() + "; remove one of the two"})
		}
	}
}
