package dynamo

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/claimsmapper/claimsmapper/internal/dynval"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// AttributeValue is one value of DynamoDB's JSON protocol: exactly one of
// its fields is set, named as DynamoDB names the types. B and BS travel as
// base64, which encoding/json reads into bytes.
type AttributeValue struct {
	S    *string                   `json:"S,omitempty"`
	N    *string                   `json:"N,omitempty"`
	B    *[]byte                   `json:"B,omitempty"`
	BOOL *bool                     `json:"BOOL,omitempty"`
	NULL *bool                     `json:"NULL,omitempty"`
	M    map[string]AttributeValue `json:"M,omitempty"`
	L    []AttributeValue          `json:"L,omitempty"`
	SS   []string                  `json:"SS,omitempty"`
	NS   []string                  `json:"NS,omitempty"`
	BS   [][]byte                  `json:"BS,omitempty"`
}

// Text is the S value s.
func Text(s string) AttributeValue { return AttributeValue{S: &s} }

// Item converts a DynamoDB item to the values expressions see, as mapper's
// value model defines them (numbers, binary and sets as package mapper documents them): S
// text, N int64 when whole and within int64 else float64, BOOL bool, NULL
// nil, M map, L list, B base64 text, and SS, NS and BS sorted lists.
func Item(av map[string]AttributeValue) (mapper.Item, error) {
	out := make(mapper.Item, len(av))
	for k, v := range av {
		nv, err := v.value()
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", k, err)
		}
		out[k] = nv
	}
	return out, nil
}

// errNoType is a value with none of the types set: not something DynamoDB
// sends.
var errNoType = errors.New("a value of no known DynamoDB type")

func (v AttributeValue) value() (any, error) {
	switch {
	case v.S != nil:
		return *v.S, nil
	case v.N != nil:
		return dynval.Number(*v.N)
	case v.B != nil:
		return dynval.Binary(*v.B), nil
	case v.BOOL != nil:
		return *v.BOOL, nil
	case v.NULL != nil:
		return nil, nil
	case v.M != nil:
		out := make(map[string]any, len(v.M))
		for k, e := range v.M {
			ne, err := e.value()
			if err != nil {
				return nil, fmt.Errorf("%q: %w", k, err)
			}
			out[k] = ne
		}
		return out, nil
	case v.L != nil:
		out := make([]any, len(v.L))
		for i, e := range v.L {
			ne, err := e.value()
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = ne
		}
		return out, nil
	case v.SS != nil:
		out := make([]any, len(v.SS))
		for i, s := range v.SS {
			out[i] = s
		}
		return dynval.Set(out), nil
	case v.NS != nil:
		out := make([]any, len(v.NS))
		for i, s := range v.NS {
			n, err := dynval.Number(s)
			if err != nil {
				return nil, fmt.Errorf("[%d]: %w", i, err)
			}
			out[i] = n
		}
		return dynval.Set(out), nil
	case v.BS != nil:
		out := make([]any, len(v.BS))
		for i, b := range v.BS {
			out[i] = dynval.Binary(b)
		}
		return dynval.Set(out), nil
	}
	return nil, errNoType
}

// keyValue is a key's value as DynamoDB takes it: text as S, numbers as N.
func keyValue(v any) (AttributeValue, error) {
	var n string
	switch x := v.(type) {
	case string:
		return Text(x), nil
	case int:
		n = strconv.Itoa(x)
	case int64:
		n = strconv.FormatInt(x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return AttributeValue{}, fmt.Errorf("a key value must be a finite number, not %v", x)
		}
		n = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return AttributeValue{}, fmt.Errorf("a key value must be text or a number, not a %s", dynval.Kind(v))
	}
	return AttributeValue{N: &n}, nil
}
