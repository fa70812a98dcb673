package config

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// EnvAllowVar is the setting, in the function's configuration, that lists
// the environment variables a mapping's ${NAME} may read. The mapping is
// untrusted input (whoever can write the S3 object need not be able to read
// the function's secrets), so nothing is readable unless the operator lists
// it here.
const EnvAllowVar = "CLAIMS_MAPPING_ENV"

// reservedEnvPrefixes are the runtime's variables (credentials among them)
// and the function's own settings: no mapping may read them, even when
// listed in CLAIMS_MAPPING_ENV.
var reservedEnvPrefixes = []string{"AWS_", "LAMBDA_", "_", "CLAIMS_"}

// AllowedEnv reads the operator's allow-list from CLAIMS_MAPPING_ENV through
// lookup: names separated by commas, spaces allowed around them. Unset or
// empty allows nothing. A name that is not a variable name, or that starts
// with a reserved prefix (AWS_, LAMBDA_, _, CLAIMS_), is an error, so a
// mistake in the setting stops the function at init instead of exposing
// its credentials.
func AllowedEnv(lookup func(string) (string, bool)) ([]string, error) {
	raw, _ := lookup(EnvAllowVar)
	var names, bad []string
	for _, name := range strings.Split(raw, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
		case !yamlnode.IsIdent(name):
			bad = append(bad, fmt.Sprintf("%q is not a variable name (letters, digits and _, not starting with a digit)", name))
		case reservedEnv(name):
			bad = append(bad, fmt.Sprintf("%s cannot be allowed: names starting with %s are the runtime's or this function's own settings", name, strings.Join(reservedEnvPrefixes, ", ")))
		default:
			names = append(names, name)
		}
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("%s: %s", EnvAllowVar, strings.Join(bad, "; "))
	}
	return names, nil
}

func reservedEnv(name string) bool {
	upper := strings.ToUpper(name)
	for _, p := range reservedEnvPrefixes {
		if strings.HasPrefix(upper, p) {
			return true
		}
	}
	return false
}

// Env is what a mapping's ${NAME} references read when it is bound to an
// environment (Mapping.Bind): the function binds the mapping it loads to
// its own settings, lint to the environment it runs in, an inline test to
// its env: first.
type Env struct {
	// Lookup gives a variable's value; nil means os.LookupEnv.
	Lookup func(string) (string, bool)
	// Allow lists the variables ${NAME} may read: the operator's
	// CLAIMS_MAPPING_ENV, as AllowedEnv reads it. Empty allows none, and a
	// reserved name (AWS_…, LAMBDA_…, _…, CLAIMS_…) is never read.
	Allow []string
	// UnsetIsWarning reports an unset ${NAME} as a warning and leaves the
	// reference in place, for lint; the function treats it as an error.
	UnsetIsWarning bool
}

func (e Env) allowed(name string) bool {
	return !reservedEnv(name) && slices.Contains(e.Allow, name)
}

// ref is one ${NAME} in a setting's text: where it is in the text, and in
// the file.
type ref struct {
	name       string
	start, end int // the bytes of "${NAME}" in the text
	pos        Pos
}

// slot is a text of the mapping that holds ${NAME} references, kept as
// written until Bind fills it: a source's table or index, or a text inside
// a claim's const:.
type slot struct {
	raw  string
	refs []ref
	path string
	// kind is "table" or "index" for a source's name, "" for a constant's text.
	kind   string
	source *Source
	// pos is where a table or index name stands, for its dynamo-name finding.
	pos Pos
	// syntaxErr is set when the text also holds a malformed "${", already
	// reported: its name is then checked on the text around the references.
	syntaxErr bool
	// value is the constant's text, within claim's Const.
	value *Value
	claim *Claim
}

// scan finds the ${NAME} references of a plain setting such as a table
// name. "$${" is a literal "${"; any other "${" must be a reference written
// exactly ${NAME}: an odd form such as ${ NAME }, ${A:-default} or
// ${A${B}} is an error rather than text that would reach a token or a
// table name unnoticed. ok is false when it reported one.
func (p *parser) scan(n *yaml.Node, path, s string) (refs []ref, ok bool) {
	if !strings.Contains(s, "${") {
		return nil, true
	}
	var at []Pos // the file position of each byte, computed once
	posAt := func(i int) Pos {
		if at == nil {
			at = p.positions(n)
		}
		if i < len(at) {
			return at[i]
		}
		return Pos{n.Line, n.Column}
	}
	ok = true
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			at := posAt(i)
			p.errorf(&yaml.Node{Line: at.Line, Column: at.Column}, path, "env-syntax", "%q is not closed with }; write ${NAME}, or $${ for a literal ${", clip(s[i:]))
			return refs, false
		}
		r := s[i : i+end+1]
		if name := r[2 : len(r)-1]; !yamlnode.IsIdent(name) {
			at := posAt(i)
			p.errorf(&yaml.Node{Line: at.Line, Column: at.Column}, path, "env-syntax", "%q is not a reference to a variable: %s", clip(r), refProblem(name, path))
			ok = false
		} else {
			refs = append(refs, ref{name: name, start: i, end: i + end + 1, pos: posAt(i)})
		}
		i += end + 1
	}
	return refs, ok
}

// render writes s with "$${" as "${" and each reference as fill gives it;
// a reference fill has no value for stays as written, a malformed one
// (already reported) is left out.
func render(s string, fill func(name string) (string, bool)) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(s[i])
			i++
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			b.WriteString(s[i:])
			break
		}
		r := s[i : i+end+1]
		i += end + 1
		name := r[2 : len(r)-1]
		if !yamlnode.IsIdent(name) {
			continue
		}
		if v, ok := fill(name); ok {
			b.WriteString(v)
		} else {
			b.WriteString(r)
		}
	}
	return b.String()
}

// Vars lists the variables the mapping's ${NAME} references name, sorted:
// what it reads of its environment when it is bound, whether or not each
// is allowed or set there.
func (m *Mapping) Vars() []string { return slices.Clone(m.vars) }

// Bind fills the mapping's ${NAME} references from env and returns the
// bound mapping with the findings about them: a variable env does not
// allow (env-not-allowed), one it does not set (env-unset, a warning when
// env.UnsetIsWarning), and a table or index name that is not a DynamoDB
// name once filled in (dynamo-name). Binding copies only the sources and
// claims whose text changes; a mapping without references is returned as
// it is. m is not changed; a bound mapping binds to itself.
func (m *Mapping) Bind(env Env) (*Mapping, []Finding) {
	if m == nil || len(m.slots) == 0 {
		return m, nil
	}
	lookup := env.Lookup
	if lookup == nil {
		lookup = os.LookupEnv
	}
	b := *m
	b.slots = nil
	b.Sources = slices.Clone(m.Sources)
	b.Claims = slices.Clone(m.Claims)
	sources := map[*Source]*Source{}
	values := map[*Claim]map[*Value]*Value{}
	var fs []Finding
	// An alias repeats its anchor's text, and each repetition is filled,
	// but a mistake in that text is one mistake: said once, where it is
	// written. name tells apart two references placed alike (a text whose
	// characters positions cannot place is all at its start).
	type mistake struct {
		pos        Pos
		rule, name string
	}
	said := map[mistake]bool{}
	add := func(pos Pos, path, rule, name string, sev Severity, msg string) {
		if k := (mistake{pos, rule, name}); !said[k] {
			said[k] = true
			f := Finding{File: m.File, Pos: pos, Path: path, Severity: sev, Rule: rule, Message: msg}
			if rule == "env-unset" || rule == "env-not-allowed" {
				f.Var = name
			}
			fs = append(fs, f)
		}
	}
	for _, sl := range m.slots {
		before := len(fs)
		refs := sl.refs
		text := render(sl.raw, func(name string) (string, bool) {
			r := refs[0]
			refs = refs[1:]
			if !env.allowed(name) {
				add(r.pos, sl.path, "env-not-allowed", name, SevError, notAllowedMessage(name, sl.path))
				return "", true // as before binding: a name not allowed reads nothing
			}
			v, ok := lookup(name)
			switch {
			case ok:
			case env.UnsetIsWarning:
				add(r.pos, sl.path, "env-unset", name, SevWarning, fmt.Sprintf("the environment variable %s is not set here; the function fails to start unless it is set where it runs", name))
			default:
				add(r.pos, sl.path, "env-unset", name, SevError, fmt.Sprintf("the environment variable %s is not set; set it in the function's configuration%s", name, orDirect(sl.path)))
			}
			return v, ok
		})
		if sl.kind == "" {
			vs := values[sl.claim]
			if vs == nil {
				vs = map[*Value]*Value{}
				values[sl.claim] = vs
				c := *sl.claim
				c.Const = cloneValue(c.Const, vs)
				b.Claims[slices.Index(m.Claims, sl.claim)] = &c
			}
			vs[sl.value].Text = text
			continue
		}
		s := sources[sl.source]
		if s == nil {
			c := *sl.source
			s = &c
			sources[sl.source] = s
			b.Sources[slices.Index(m.Sources, sl.source)] = s
		}
		if sl.kind == "table" {
			s.Table = text
		} else {
			s.Index = text
		}
		if sl.syntaxErr || len(fs) > before {
			if bad := badNameChars(literalText(sl.raw)); bad != "" {
				add(sl.pos, sl.path, "dynamo-name", "", SevError, fmt.Sprintf("%s %q is not a DynamoDB %s name: it contains %s; a name has only letters, digits, _, - and .", sl.kind, clip(sl.raw), sl.kind, bad))
			}
			continue
		}
		if why := dynamoNameReason(text); why != "" {
			add(sl.pos, sl.path, "dynamo-name", "", SevError, fmt.Sprintf("%s %q is %q once its ${…} are filled in, which is not a DynamoDB %s name: %s", sl.kind, clip(sl.raw), clip(text), sl.kind, why))
		}
	}
	return &b, fs
}

// cloneValue copies v, recording each copy of a part in copies.
func cloneValue(v *Value, copies map[*Value]*Value) *Value {
	if v == nil {
		return nil
	}
	c := *v
	copies[v] = &c
	if v.Items != nil {
		c.Items = make([]*Value, len(v.Items))
		for i, e := range v.Items {
			c.Items[i] = cloneValue(e, copies)
		}
	}
	return &c
}

// orDirect offers writing the value instead of ${NAME}, except for a table
// or an index: a name written there is the same in every environment, so
// the sample table an author tested with would go to production.
func orDirect(path string) string {
	if strings.HasSuffix(path, ".table") || strings.HasSuffix(path, ".index") {
		return ""
	}
	return ", or write the value directly"
}

// refProblem says what is wrong with the text between ${ and the first }.
func refProblem(name, path string) string {
	switch {
	case name == "":
		return "it names no variable; write ${NAME}, or $${ for a literal ${"
	case strings.TrimSpace(name) != name && yamlnode.IsIdent(strings.TrimSpace(name)):
		return fmt.Sprintf("remove the spaces: ${%s}", strings.TrimSpace(name))
	case strings.Contains(name, "${"):
		return "references cannot be nested; write each ${NAME} on its own"
	case strings.IndexAny(name, ":-=?+") > 0 && yamlnode.IsIdent(name[:strings.IndexAny(name, ":-=?+")]):
		return "defaults and other shell forms are not supported; write ${NAME} and set the variable" + orDirect(path)
	case name[0] >= '0' && name[0] <= '9':
		return "a variable name cannot start with a digit"
	}
	return "a variable name has only letters, digits and _; write ${NAME}, or $${ for a literal ${"
}

func notAllowedMessage(name, path string) string {
	if reservedEnv(name) {
		// Never advise writing the value here: these are credentials, and a
		// token must not carry them in any form.
		return fmt.Sprintf("${%s} is not allowed: a mapping can never read variables starting with %s (the function's credentials and settings); for a setting of your own, give the function a variable of another name and list it in %s", name, strings.Join(reservedEnvPrefixes, ", "), EnvAllowVar)
	}
	return fmt.Sprintf("${%s} is not allowed: the function reads only the variables its operator lists in %s; add %s to %s in the function's configuration (and where lint runs)%s", name, EnvAllowVar, name, EnvAllowVar, orDirect(path))
}

// clip shortens text quoted in a message.
func clip(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}
