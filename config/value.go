package config

import "github.com/claimsmapper/claimsmapper/internal/yamlnode"

// Value is a constant as the mapping writes it: the text of each scalar
// with the kind YAML resolved it to, not the Go value a YAML library makes
// of it. YAML libraries follow YAML 1.1 in places (2024-01-01 becomes a
// time, 017 becomes 15, large integers lose digits); package mapper decides
// what a constant means, once, for every reader.
type Value struct {
	Pos  Pos
	Kind ValueKind
	// Tag is how YAML resolved a scalar: !!str, !!int, !!float, !!bool,
	// !!null, !!timestamp or !!binary. Quoted scalars are !!str.
	Tag string
	// Text is a scalar exactly as written, without its quotes.
	Text string
	// Items holds a list's elements, or a map's values in file order.
	Items []*Value
	// Keys holds a map's keys, in file order.
	Keys []string
}

// ValueKind tells scalars, lists and maps apart.
type ValueKind uint8

// The kinds of Value.
const (
	Scalar ValueKind = iota
	List
	Map
)

// valueOf is the public form of a value the strict reader read.
func valueOf(v *yamlnode.Value) *Value {
	out := &Value{Pos: Pos{v.Line, v.Column}, Kind: ValueKind(v.Kind), Tag: v.Tag, Text: v.Text, Keys: v.Keys}
	if v.Items != nil {
		out.Items = make([]*Value, len(v.Items))
		for i, e := range v.Items {
			out.Items[i] = valueOf(e)
		}
	}
	return out
}
