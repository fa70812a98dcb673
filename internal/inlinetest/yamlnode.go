package inlinetest

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/config"
)

// The helpers below read the raw tests: node the way package config reads
// the rest of the mapping: strictly, and with a position for every problem.

type entry struct {
	key, val *yaml.Node
}

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// entries returns the key: value pairs of a mapping node in file order.
func (r *reader) entries(n *yaml.Node, path string) []entry {
	n = deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, path, "tests-type", "%s should be a set of \"name: value\" lines, not %s", path, describe(n))
		return nil
	}
	var out []entry
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := deref(n.Content[i])
		if k.Kind != yaml.ScalarNode {
			r.errorf(k, path, "tests-type", "a name in %s should be plain text", path)
			continue
		}
		if line, dup := seen[k.Value]; dup {
			r.errorf(k, path+"."+k.Value, "tests-duplicate-key", "%q is written twice in %s (first at line %d); keep one", k.Value, path, line)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, entry{key: k, val: n.Content[i+1]})
	}
	return out
}

// object is entries restricted to the allowed keys, by name.
func (r *reader) object(n *yaml.Node, path string, allowed []string) map[string]entry {
	if d := deref(n); d.Kind != yaml.MappingNode {
		r.errorf(d, path, "tests-type", "%s should be a set of \"key: value\" lines, not %s", path, describe(d))
		return nil
	}
	out := map[string]entry{}
	for _, e := range r.entries(n, path) {
		name := e.key.Value
		if !contains(allowed, name) {
			hint := ""
			if s := config.Suggest(name, allowed); s != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", s)
			}
			r.errorf(e.key, path+"."+name, "tests-unknown-key", "unknown key %q in %s%s; allowed keys: %s", name, path, hint, strings.Join(allowed, ", "))
			continue
		}
		out[name] = e
	}
	return out
}

func (r *reader) text(n *yaml.Node, path string) (string, bool) {
	n = deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" || strings.TrimSpace(n.Value) == "" {
		r.errorf(n, path, "tests-type", "%s should be text, not %s", path, describe(n))
		return "", false
	}
	return n.Value, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// describe names the kind of a YAML value in plain words.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a set of key: value lines"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!null":
		return "empty"
	case "!!int", "!!float":
		return "the number " + n.Value
	case "!!bool":
		return "the true/false value " + n.Value
	}
	return fmt.Sprintf("the text %q", n.Value)
}
