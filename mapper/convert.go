package mapper

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

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
		return "", fmt.Errorf("a %s cannot be put in a token", kind(v))
	}
	return string(b), nil
}

// toStrings reads a value that must be text or a list of text.
func toStrings(v any) ([]string, error) {
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
				return nil, fmt.Errorf("expected a list of text, but it holds a %s", kind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("expected text or a list of text, not a %s", kind(v))
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

// kind names a value's type in a mapping author's words, for messages
// that say "a <kind>".
func kind(v any) string {
	switch t := TypeName(v); t {
	case "true/false":
		return "true/false value"
	case "value":
		return "value of an unsupported kind"
	default:
		return t
	}
}

// checkValue reports a value that cannot be written in a token: a number
// that is not finite, or something that is no JSON value at all.
func checkValue(v any) error {
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
			if err := checkValue(e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for _, e := range x {
			if err := checkValue(e); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("the result is a %s, which a token cannot hold", kind(v))
}
