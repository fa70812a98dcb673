package inlinetest

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// The tests: node is read the way package config reads the rest of the
// mapping (package yamlnode): strictly, and with a position for every
// problem. Its rules are config's with a tests- prefix.

// entries returns the key: value pairs of a mapping node in file order;
// none when the node is empty.
func (r *reader) entries(n *yaml.Node, path string) []yamlnode.Entry {
	if yamlnode.IsNull(n) {
		return nil
	}
	return r.yr.Ordered(n, path)
}

// text reads a value that must be text and not blank.
func (r *reader) text(n *yaml.Node, path string) (string, bool) {
	s, ok := r.yr.Scalar(n, path, "text")
	if ok && strings.TrimSpace(s.Value) == "" {
		r.errorf(s, path, "tests-type", "%s should be text, not %s", path, yamlnode.Describe(s))
		return "", false
	}
	if !ok {
		return "", false
	}
	return s.Value, true
}
