package dynval

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// The value model: what expressions see and what Cognito gets. Every reader
// of values (DynamoDB in package dynamo, data files in localdata, constants
// in the mapping, the expectations of inline tests) converts through the
// functions of this file, which also writes claims from the same model (V1
// text, the Cognito check).
// docs/mapping.md ("Values") shows it as a table for mapping authors.
//
//	DynamoDB       expression value                       V1 text          V2/V3 JSON
//	S              text (string)                          as is            "text"
//	N              whole within int64: int64;             42, 4.5          42, 4.5
//	               otherwise float64
//	BOOL           bool                                   true, false      true, false
//	NULL, no item  nil                                    claim left out   claim left out
//	B              base64 text                            base64           "base64"
//	SS, NS, BS     list, sorted (text and base64 by       JSON             [...]
//	               their bytes, numbers by value)
//	L              list ([]any)                           JSON             [...]
//	M              map (map[string]any)                   JSON             {...}
//	(a date)       DynamoDB has none: text or a number    as stored        as stored
//	               as stored; date() and now() give a
//	               time, written as RFC 3339 text in UTC
//
// A query source is always a list: [] when it found nothing, was skipped or
// failed with onError: ignore. A key source that found nothing is nil.

// Number reads a DynamoDB number (N), as DynamoDB returns it: int64 when it
// is whole and fits, float64 otherwise (DynamoDB keeps 38 digits; float64
// is the closest an expression has).
func Number(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%q is not a number", s)
	}
	// "1E+3" is whole too; DynamoDB returns numbers as they were written.
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return int64(f), nil
	}
	return f, nil
}

// Binary is how a binary value (B) appears: standard base64 text, the form
// JSON and tokens can carry.
func Binary(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// Set orders the members of a DynamoDB set (SS, NS, BS), which has no
// order of its own: text (and base64) by bytes, numbers by value, so that first(),
// a token and a local data file agree.
func Set(members []any) []any {
	slices.SortStableFunc(members, func(a, b any) int {
		c, _ := Compare(a, b)
		return c
	})
	return members
}

// decimalInt is a whole number as a person writes it: no leading zero, no
// 0x, 0o or _.
var decimalInt = regexp.MustCompile(`^[-+]?(0|[1-9][0-9]*)$`)

// Const gives a constant written in the mapping (const:) its meaning:
// exactly what it says. Text, dates and binary stay the text written; a
// whole number is int64, and one that does not fit, or is written with a
// leading zero or in another base, is an error that says to quote it.
func Const(v *config.Value) (any, error) {
	return fromValue(nodeValue(v), true)
}

// nodeValue is a mapping's constant as the reader of data and test files
// gives theirs, so that one function gives both their meaning.
func nodeValue(v *config.Value) *yamlnode.Value {
	out := &yamlnode.Value{Line: v.Pos.Line, Column: v.Pos.Column, Kind: yamlnode.ValueKind(v.Kind), Tag: v.Tag, Text: v.Text, Keys: v.Keys}
	if v.Items != nil {
		out.Items = make([]*yamlnode.Value, len(v.Items))
		for i, e := range v.Items {
			out.Items[i] = nodeValue(e)
		}
	}
	return out
}

// Data is Const for the items of a data file (package localdata)
// and the values in inline tests: numbers as DynamoDB would return them
// (a whole number too large for int64 becomes float64, as from DynamoDB).
func Data(v *yamlnode.Value) (any, error) {
	return fromValue(v, false)
}

func fromValue(v *yamlnode.Value, strict bool) (any, error) {
	switch v.Kind {
	case yamlnode.List:
		out := make([]any, len(v.Items))
		for i, e := range v.Items {
			x, err := fromValue(e, strict)
			if err != nil {
				return nil, err
			}
			out[i] = x
		}
		return out, nil
	case yamlnode.Map:
		out := make(map[string]any, len(v.Items))
		for i, e := range v.Items {
			x, err := fromValue(e, strict)
			if err != nil {
				return nil, err
			}
			out[v.Keys[i]] = x
		}
		return out, nil
	}
	bad := func(format string, args ...any) error {
		return &yamlnode.ValueError{Line: v.Line, Column: v.Column, Msg: fmt.Sprintf(format, args...)}
	}
	switch v.Tag {
	case "!!null":
		return nil, nil
	case "!!bool":
		return strconv.ParseBool(strings.ToLower(v.Text))
	case "!!binary":
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v.Text), ""))
		if err != nil {
			return nil, bad("%s is not base64; binary values are written in base64", v.Text)
		}
		return Binary(b), nil
	case "!!int":
		if t := strings.TrimLeft(v.Text, "+-"); len(t) > 1 && t[0] == '0' && strings.Trim(t, "0123456789") == "" {
			return nil, bad("%s starts with 0, which some YAML readers take as octal; write %s for the number, or quote it ('%s') to keep it as text", v.Text, cmp.Or(strings.TrimLeft(t, "0"), "0"), v.Text)
		}
		if !decimalInt.MatchString(v.Text) {
			return nil, bad("%s is a number written in a way that means different things to different readers (0x, 0o, 0b or _); write it in plain decimal, or quote it ('%s') to keep it as text", v.Text, v.Text)
		}
		n, err := strconv.ParseInt(v.Text, 10, 64)
		if err == nil {
			return n, nil
		}
		if strict {
			return nil, bad("%s is too large for a whole number (at most %d); quote it ('%s') to keep it as text", v.Text, int64(math.MaxInt64), v.Text)
		}
		return Number(v.Text)
	case "!!float":
		f, err := strconv.ParseFloat(v.Text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, bad("%s is not a finite number, which a token cannot hold; quote it ('%s') to keep it as text", v.Text, v.Text)
		}
		if !strict {
			// DynamoDB keeps no difference between 3.0 and 3.
			return Number(strconv.FormatFloat(f, 'g', -1, 64))
		}
		return f, nil
	}
	// !!str and !!timestamp: text as written.
	return v.Text, nil
}

// Compare orders two key values as DynamoDB does: numbers by value
// (exactly, whatever their Go type), text by its UTF-8 bytes. ok is false
// when they are not comparable (a number and text, or not a key value).
func Compare(a, b any) (c int, ok bool) {
	// Two values of one type compare as they are; only an int64 against
	// a float64 needs big.Float to be exact, and its allocations.
	switch x := a.(type) {
	case int64:
		if y, same := b.(int64); same {
			return cmp.Compare(x, y), true
		}
	case float64:
		if y, same := b.(float64); same && !math.IsNaN(x) && !math.IsNaN(y) {
			return cmp.Compare(x, y), true
		}
	}
	if x, isNum := bigNumber(a); isNum {
		y, isNum := bigNumber(b)
		if !isNum {
			return 0, false
		}
		return x.Cmp(y), true
	}
	sa, ok1 := a.(string)
	sb, ok2 := b.(string)
	if !ok1 || !ok2 {
		return 0, false
	}
	return cmp.Compare(sa, sb), true
}

// KeysEqual reports whether two key values are the same to DynamoDB.
func KeysEqual(a, b any) bool {
	c, ok := Compare(a, b)
	return ok && c == 0
}

func bigNumber(v any) (*big.Float, bool) {
	switch x := v.(type) {
	case int:
		return new(big.Float).SetInt64(int64(x)), true
	case int64:
		return new(big.Float).SetInt64(x), true
	case float64:
		if math.IsNaN(x) {
			return nil, false
		}
		return new(big.Float).SetFloat64(x), true
	}
	return nil, false
}

// Claim turns what an expression gave into what a claim holds: a
// source that found nothing (a nil item or list) is nil, so the claim is
// left out like any other nil, and a time becomes RFC 3339 text in UTC.
// What a token cannot hold is an error.
func Claim(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		if x == nil {
			return nil, nil
		}
	case []any:
		if x == nil {
			return nil, nil
		}
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	case time.Duration:
		return nil, fmt.Errorf("the result is a duration, which a token cannot hold; use its .Seconds() or .String()")
	default:
		if rv := reflect.ValueOf(v); (rv.Kind() == reflect.Map || rv.Kind() == reflect.Slice || rv.Kind() == reflect.Pointer) && rv.IsNil() {
			return nil, nil
		}
	}
	return v, Check(v)
}

// V1 text, the Cognito check and the names of kinds: how the model is
// written in a token.

// Text formats a claim value for a V1 event, where every claim is text:
// numbers and booleans as written (42, 4.5, true), lists and objects as
// compact JSON.
func Text(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", fmt.Errorf("the number %v cannot be put in a token", x)
		}
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("a %s cannot be put in a token", Kind(v))
	}
	return string(b), nil
}

// Strings reads a value that must be text or a list of text.
func Strings(v any) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []string:
		return x, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("expected a list of text, but it holds a %s", Kind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected text or a list of text, not a %s", Kind(v))
}

// TypeName names a claim value's JSON type as an app reading the token sees
// it: text, number, true/false, list, object or null.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "text"
	case bool:
		return "true/false"
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, json.Number:
		return "number"
	case []any, []string:
		return "list"
	case map[string]any:
		return "object"
	}
	return "value"
}

// Kind names a value's type in a mapping author's words, for messages
// that say "a <kind>".
func Kind(v any) string {
	switch v.(type) {
	case time.Time:
		return "date and time (write it as text with string(...) or a number with .Unix())"
	case time.Duration:
		return "duration"
	}
	switch t := TypeName(v); t {
	case "true/false":
		return "true/false value"
	case "value":
		return "value of an unsupported kind"
	default:
		return t
	}
}

// Check reports a value that cannot be written in a token: a number
// that is not finite, or something that is no JSON value at all.
func Check(v any) error {
	switch x := v.(type) {
	case nil, string, bool, int, int64:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("the result is not a finite number")
		}
		return nil
	case []string:
		return nil
	case []any:
		for _, e := range x {
			if err := Check(e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for _, e := range x {
			if err := Check(e); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("the result is a %s, which a token cannot hold", Kind(v))
}
