package yamlnode

import (
	"errors"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Value is a value as a YAML file writes it: the text of each scalar with
// the kind YAML resolved it to, not the Go value a YAML library makes of it.
// YAML libraries follow YAML 1.1 in places (2024-01-01 becomes a time, 017
// becomes 15, large integers lose digits); package internal/dynval decides
// what a value means, once, for every reader. config.Value is the same tree
// as the mapping's public API shows it.
// Its fields mean what config.Value's do, where Line and Column are Pos.
type Value struct {
	Line, Column int
	Kind         ValueKind
	Tag, Text    string   // a scalar's resolved tag (!!str, !!int, ...) and text
	Items        []*Value // a list's elements, a map's values
	Keys         []string // a map's keys, in file order
}

// ValueKind tells scalars, lists and maps apart, as config.ValueKind does.
type ValueKind uint8

// The kinds of Value, in config.ValueKind's order.
const (
	Scalar ValueKind = iota
	List
	Map
)

// MaxValueNodes bounds how many parts the values of one file may expand to
// through YAML aliases: "a billion laughs" (each alias repeating the one
// before ten times) must not exhaust the function's memory.
const MaxValueNodes = 100_000

// MaxAliasBytes bounds the text that aliases may repeat in the values of
// one file: an alias costs one part however long its anchor's text, so a
// list of a thousand aliases of a 500 KB text is 500 MB of claims in a file
// of a few hundred KB. Text written out is bounded by the file's size.
const MaxAliasBytes = 1 << 20

// ValueReader reads values, all of them within one budget of
// MaxValueNodes parts: a file reads all its values through one reader.
type ValueReader struct {
	budget int
	bytes  int                 // of MaxAliasBytes, left for text read through aliases
	active map[*yaml.Node]bool // aliases being expanded, to catch cycles
}

// NewValueReader returns a reader with the whole budget.
func NewValueReader() *ValueReader {
	return &ValueReader{budget: MaxValueNodes, bytes: MaxAliasBytes, active: map[*yaml.Node]bool{}}
}

// Read reads a YAML node as a Value. It fails, with a *ValueError, on a map
// key that is not text, a key written twice, a custom tag, or aliases that
// expand too far or into themselves; a value too large is reported where
// it starts.
func (r *ValueReader) Read(n *yaml.Node) (*Value, error) {
	v, err := r.read(n)
	var ve *ValueError
	if errors.As(err, &ve) && ve.tooLarge {
		ve.Line, ve.Column = n.Line, n.Column
	}
	return v, err
}

// ValueError is a problem with a value, at a position.
type ValueError struct {
	Line, Column int
	Msg          string
	// tooLarge marks the budget's end, reported where the value starts.
	tooLarge bool
}

func (e *ValueError) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

func valueErr(n *yaml.Node, format string, args ...any) error {
	return &ValueError{Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

// repeated takes the text of a scalar read through an alias, which repeats
// it rather than writes it, from the reader's MaxAliasBytes.
func (r *ValueReader) repeated(n *yaml.Node) error {
	if r.bytes -= len(n.Value); r.bytes < 0 {
		return &ValueError{Line: n.Line, Column: n.Column, tooLarge: true,
			Msg: "the values of this file repeat more than 1 MiB of text through YAML aliases (*name); write the value once, or shorter"}
	}
	return nil
}

func (r *ValueReader) read(n *yaml.Node) (*Value, error) {
	if r.budget--; r.budget < 0 {
		return nil, &ValueError{Line: n.Line, Column: n.Column, tooLarge: true,
			Msg: fmt.Sprintf("the values of this file expand to more than %d parts through YAML aliases (*name); write them out, smaller", MaxValueNodes)}
	}
	if len(r.active) > 0 && n.Kind == yaml.ScalarNode {
		if err := r.repeated(n); err != nil {
			return nil, err
		}
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil || r.active[n.Alias] {
			return nil, valueErr(n, "the alias *%s refers to itself; write the value out", n.Value)
		}
		r.active[n.Alias] = true
		defer delete(r.active, n.Alias)
		return r.read(n.Alias)
	}
	v := &Value{Line: n.Line, Column: n.Column}
	switch n.Kind {
	case yaml.ScalarNode:
		v.Kind, v.Tag, v.Text = Scalar, n.ShortTag(), n.Value
		switch v.Tag {
		case "!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary":
		default:
			return nil, valueErr(n, "the tag %s is not one this file understands; remove it, or quote the value for text", n.Tag)
		}
	case yaml.SequenceNode:
		v.Kind = List
		v.Items = make([]*Value, 0, len(n.Content))
		for _, c := range n.Content {
			e, err := r.read(c)
			if err != nil {
				return nil, err
			}
			v.Items = append(v.Items, e)
		}
	case yaml.MappingNode:
		v.Kind = Map
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := Deref(n.Content[i])
			if k.Kind != yaml.ScalarNode {
				return nil, valueErr(k, "a key should be a plain name, not %s", Describe(k))
			}
			if k.Tag == "!!merge" {
				return nil, valueErr(k, "<< (merge) is not supported in a value; write the keys out")
			}
			if len(r.active) > 0 || n.Content[i].Kind == yaml.AliasNode {
				if err := r.repeated(k); err != nil {
					return nil, err
				}
			}
			if seen[k.Value] {
				return nil, valueErr(k, "%s is written twice; keep one", strconv.Quote(k.Value))
			}
			seen[k.Value] = true
			e, err := r.read(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			v.Keys = append(v.Keys, k.Value)
			v.Items = append(v.Items, e)
		}
	default:
		return nil, valueErr(n, "this is not a value")
	}
	return v, nil
}
