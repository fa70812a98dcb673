package yamlnode

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The kinds of problem a Reader reports; callers make rule names of them.
const (
	KindType         = "type"
	KindDuplicateKey = "duplicate-key"
	KindUnknownKey   = "unknown-key"
)

// Entry is one key: value pair of a YAML mapping.
type Entry struct {
	Key, Val *yaml.Node
}

// Reader walks nodes and reports what is wrong with them.
type Reader struct {
	// Report receives each problem: the node it is at, the path of the
	// setting (tests[0].expect), its kind (KindType, ...) and the message.
	Report func(n *yaml.Node, path, kind, msg string)
	// Top names the document in messages about its top ("the mapping"
	// when empty).
	Top string
}

func (r Reader) errorf(n *yaml.Node, path, kind, format string, args ...any) {
	r.Report(n, path, kind, fmt.Sprintf(format, args...))
}

// Object checks that n is a mapping whose keys are all in allowed (any key
// when allowed is nil) and unique, and returns its entries by key; nil when
// n is not a mapping.
func (r Reader) Object(n *yaml.Node, path string, allowed []string) map[string]Entry {
	n = Deref(n)
	if n.Kind != yaml.MappingNode {
		r.errorf(n, path, KindType, "%s should be a set of \"key: value\" lines, not %s", r.orTop(path), Describe(n))
		return nil
	}
	out := make(map[string]Entry, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			r.errorf(k, path, KindType, "a key in %s should be a plain name", r.orTop(path))
			continue
		}
		name := k.Value
		if prev, dup := out[name]; dup {
			r.errorf(k, Join(path, name), KindDuplicateKey, "%q is written twice in %s (first at line %d); keep one", name, r.orTop(path), prev.Key.Line)
			continue
		}
		if allowed != nil && !contains(allowed, name) {
			r.errorf(k, Join(path, name), KindUnknownKey, "unknown key %q in %s%s; allowed keys: %s",
				name, r.orTop(path), DidYouMean(name, allowed), strings.Join(allowed, ", "))
			continue
		}
		out[name] = Entry{Key: k, Val: v}
	}
	return out
}

// Ordered returns the entries of a mapping in file order, reporting
// duplicates; nil when n is not a mapping.
func (r Reader) Ordered(n *yaml.Node, path string) []Entry {
	n = Deref(n)
	if n.Kind != yaml.MappingNode {
		r.errorf(n, path, KindType, "%s should be a set of \"name: value\" lines, not %s", path, Describe(n))
		return nil
	}
	var out []Entry
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := Deref(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			r.errorf(k, path, KindType, "a name in %s should be plain text", path)
			continue
		}
		if line, dup := seen[k.Value]; dup {
			r.errorf(k, Join(path, k.Value), KindDuplicateKey, "%q is written twice in %s (first at line %d); keep one", k.Value, path, line)
			continue
		}
		seen[k.Value] = k.Line
		out = append(out, Entry{Key: k, Val: v})
	}
	return out
}

// Scalar returns n when it is a value that is not empty; want says what it
// should be, in words ("text", "a whole number").
func (r Reader) Scalar(n *yaml.Node, path, want string) (*yaml.Node, bool) {
	n = Deref(n)
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		r.errorf(n, path, KindType, "%s should be %s, not %s", path, want, Describe(n))
		return nil, false
	}
	return n, true
}

// Str reads text; any scalar counts, as YAML writes 42 and "42" alike.
func (r Reader) Str(n *yaml.Node, path string) (string, bool) {
	s, ok := r.Scalar(n, path, "text")
	if !ok {
		return "", false
	}
	return s.Value, true
}

// Bool reads true or false.
func (r Reader) Bool(n *yaml.Node, path string) (bool, bool) {
	s, ok := r.Scalar(n, path, "true or false")
	if !ok {
		return false, false
	}
	if s.Tag != "!!bool" {
		r.errorf(s, path, KindType, "%s should be true or false, not %s", path, Describe(s))
		return false, false
	}
	b, _ := strconv.ParseBool(s.Value)
	return b, true
}

// Int reads a whole number.
func (r Reader) Int(n *yaml.Node, path string) (int, bool) {
	s, ok := r.Scalar(n, path, "a whole number")
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s.Value)
	if s.Tag != "!!int" || err != nil {
		r.errorf(s, path, KindType, "%s should be a whole number, not %s", path, Describe(s))
		return 0, false
	}
	return v, true
}

// Duration reads a positive Go duration such as 500ms or 2s.
func (r Reader) Duration(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := r.Scalar(n, path, "a duration such as 500ms or 2s")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s.Value)
	if err != nil || d <= 0 {
		r.errorf(s, path, KindType, "%s should be a positive duration such as 500ms or 2s, not %q", path, s.Value)
		return 0, false
	}
	return d, true
}

// IsNull reports whether n is empty (nothing, ~ or null).
func IsNull(n *yaml.Node) bool {
	n = Deref(n)
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// Deref follows an alias to the node it names.
func Deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// Join appends a key to a path: a.b, or a["not a name"].
func Join(path, key string) string {
	if path == "" {
		return key
	}
	if IsIdent(key) {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}

// IsIdent reports whether s is a name such as a variable's or a plain
// key's: ASCII letters, digits and _, not starting with a digit.
func IsIdent(s string) bool {
	for i, c := range s {
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

// orTop names the top of the document for the empty path.
func (r Reader) orTop(path string) string {
	switch {
	case path != "":
		return path
	case r.Top != "":
		return r.Top
	}
	return "the mapping"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Describe names the kind of a YAML value in plain words.
func Describe(n *yaml.Node) string {
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
