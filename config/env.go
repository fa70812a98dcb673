package config

import (
	"fmt"
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

func (p *parser) envAllowed(name string) bool {
	return !reservedEnv(name) && slices.Contains(p.opts.AllowEnv, name)
}

// expand resolves the ${NAME} references in a plain setting such as a table
// name. "$${" is a literal "${"; any other "${" must be a reference to an
// allowed variable, written exactly ${NAME}: an odd form such as ${ NAME },
// ${A:-default} or ${A${B}} is an error rather than text that would reach a
// token or a table name unnoticed.
func (p *parser) expand(n *yaml.Node, path, s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var at []Pos // the file position of each byte, computed on the first error
	posAt := func(i int) *yaml.Node {
		if at == nil {
			at = p.positions(n)
		}
		if i < len(at) {
			return &yaml.Node{Line: at[i].Line, Column: at[i].Column}
		}
		return n
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
			p.errorf(posAt(i), path, "env-syntax", "%q is not closed with }; write ${NAME}, or $${ for a literal ${", clip(s[i:]))
			return s
		}
		ref := s[i : i+end+1]
		name := ref[2 : len(ref)-1]
		if !yamlnode.IsIdent(name) {
			p.errorf(posAt(i), path, "env-syntax", "%q is not a reference to a variable: %s", clip(ref), refProblem(name, path))
			i += end + 1
			continue
		}
		i += end + 1
		if !p.envAllowed(name) {
			p.errorf(posAt(i-len(ref)), path, "env-not-allowed", "%s", notAllowedMessage(name, path))
			continue
		}
		v, ok := p.opts.LookupEnv(name)
		if !ok {
			if p.opts.UnsetEnvIsWarning {
				p.report(posAt(i-len(ref)), path, "env-unset", SevWarning, "the environment variable %s is not set here; the function fails to start unless it is set where it runs", name)
			} else {
				p.errorf(posAt(i-len(ref)), path, "env-unset", "the environment variable %s is not set; set it in the function's configuration%s", name, orDirect(path))
			}
			b.WriteString(ref)
			continue
		}
		b.WriteString(v)
	}
	return b.String()
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
