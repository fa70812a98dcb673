package mapper

import (
	"reflect"
	"time"
	"unicode/utf8"
)

// meter measures a value as the JSON that would carry it, indented as
// toJSON indents: an upper bound on what toJSON, string and the response
// write of it. It walks the value as a tree, so a list that holds the same
// list many times counts each time, as those writers would, and it stops as
// soon as the size passes the limit: measuring costs at most the limit.
type meter struct {
	size     int
	leaves   int // scalars met: the length flatten would give
	limit    int
	maxDepth int
	deep     bool // a list or object nested deeper than maxDepth
}

// over reports whether the measure went past a limit.
func (m *meter) over() bool { return m.size > m.limit || m.deep }

// measure returns the size of v, or ok false once it passes limit or nests
// deeper than lim.Depth (m.deep says which).
func measure(v any, limit int, lim *Limits) (meter, bool) {
	m := meter{limit: limit, maxDepth: lim.Depth}
	m.walk(v, 0)
	return m, !m.over()
}

// item is the separator, newline and indentation toJSON writes around an element.
func item(d int) int { return 2 + 2*d }

func (m *meter) walk(v any, d int) {
	if m.over() {
		return
	}
	if d > m.maxDepth {
		m.deep = true
		return
	}
	switch x := v.(type) {
	case nil:
		m.leaf(4)
	case bool:
		m.leaf(5)
	case int, int64, int32, uint, uint64, float64, float32:
		m.leaf(24)
	case string:
		m.leaf(jsonTextSize(x))
	case []byte:
		m.leaf(len(x)*4/3 + 4)
	case time.Time:
		m.leaf(80)
	case time.Duration:
		m.leaf(32)
	case []any:
		m.size += 2
		for _, e := range x {
			m.size += item(d + 1)
			m.walk(e, d+1)
			if m.over() {
				return
			}
		}
	case []string:
		m.size += 2
		for _, e := range x {
			m.size += item(d + 1)
			m.leaf(jsonTextSize(e))
			if m.over() {
				return
			}
		}
	case []int:
		// What a..b makes: measured without boxing each number, as the
		// reflective walk would.
		m.size += 2
		for range x {
			m.size += item(d + 1)
			m.leaf(24)
			if m.over() {
				return
			}
		}
	case map[string]any:
		m.size += 2
		for k, e := range x {
			m.size += item(d+1) + jsonTextSize(k) + 2
			m.walk(e, d+1)
			if m.over() {
				return
			}
		}
	default:
		m.reflectWalk(reflect.ValueOf(v), d)
	}
}

func (m *meter) leaf(n int) {
	m.size += n
	m.leaves++
}

// reflectWalk measures the kinds expr can produce besides the common ones
// (typed lists, groupBy's objects, the event): an over-estimate is fine.
func (m *meter) reflectWalk(rv reflect.Value, d int) {
	switch rv.Kind() {
	case reflect.Invalid:
		m.leaf(4)
	case reflect.String:
		m.leaf(jsonTextSize(rv.String()))
	case reflect.Slice, reflect.Array:
		m.size += 2
		for i := 0; i < rv.Len() && !m.over(); i++ {
			m.size += item(d + 1)
			m.walk(rv.Index(i).Interface(), d+1)
		}
	case reflect.Map:
		m.size += 2
		it := rv.MapRange()
		for it.Next() && !m.over() {
			m.size += item(d+1) + 2
			m.walk(it.Key().Interface(), d+1)
			m.walk(it.Value().Interface(), d+1)
		}
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			m.leaf(4)
			return
		}
		m.size += 24 // fmt writes a nested pointer as its address
		m.walk(rv.Elem().Interface(), d+1)
	case reflect.Struct:
		m.size += 2
		t := rv.Type()
		for i := 0; i < rv.NumField() && !m.over(); i++ {
			m.size += item(d+1) + len(t.Field(i).Name) + 2
			if t.Field(i).IsExported() {
				m.walk(rv.Field(i).Interface(), d+1)
			} else {
				m.leaf(24)
			}
		}
	default:
		m.leaf(24)
	}
}

// jsonTextSize is the length of s as a JSON string, with the escapes
// encoding/json writes (it escapes <, > and & too).
func jsonTextSize(s string) int {
	n := 2
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				n += 2
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				n += 6
			default:
				n++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			n += 6
		} else {
			n += size
		}
		i += size
	}
	return n
}

// shallowSize is what a freshly produced value costs the budget: its own
// bytes, not those of the values it holds, which were counted when they
// were produced.
func shallowSize(v any) int {
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return 0
	case string:
		return len(x)
	case []any:
		return 16 * len(x)
	case []string:
		return 16 * len(x)
	case []int:
		return 8 * len(x)
	case []float64:
		return 8 * len(x)
	case map[string]any:
		return 48 * len(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.Len()
	case reflect.Slice, reflect.Array:
		return 16 * rv.Len()
	case reflect.Map:
		return 48 * rv.Len()
	}
	return 0
}

// lengthOf is the number of elements a loop over v visits.
func lengthOf(v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case []string:
		return len(x)
	case []int:
		return len(x)
	case nil:
		return 0
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.String:
		return rv.Len()
	}
	return 0
}
