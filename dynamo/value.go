package dynamo

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// Item converts a DynamoDB item to the values expressions see: S string,
// N int64 when integral else float64, BOOL bool, NULL nil, M map[string]any,
// L, SS and NS []any, B and BS base64 text (the form Cognito claims and JSON
// can carry).
func Item(av map[string]types.AttributeValue) (mapper.Item, error) {
	var raw map[string]any
	// UseNumber keeps N as text so integers above 2^53 survive exactly.
	err := attributevalue.UnmarshalMapWithOptions(av, &raw, func(o *attributevalue.DecoderOptions) {
		o.UseNumber = true
	})
	if err != nil {
		return nil, fmt.Errorf("decode item: %w", err)
	}
	out := make(mapper.Item, len(raw))
	for k, v := range raw {
		nv, err := normalize(v)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", k, err)
		}
		out[k] = nv
	}
	return out, nil
}

// normalize turns what attributevalue decodes into an interface into the
// engine's value types.
func normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, bool:
		return x, nil
	case attributevalue.Number:
		return number(string(x))
	case []byte:
		return base64.StdEncoding.EncodeToString(x), nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ne, err := normalize(e)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", k, err)
			}
			out[k] = ne
		}
		return out, nil
	case []any:
		return list(x)
	case []string:
		return list(x)
	case []attributevalue.Number:
		return list(x)
	case [][]byte:
		return list(x)
	}
	return nil, fmt.Errorf("unexpected decoded type %T", v)
}

func list[T any](xs []T) ([]any, error) {
	out := make([]any, len(xs))
	for i, e := range xs {
		ne, err := normalize(e)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out[i] = ne
	}
	return out, nil
}

// number reads a DynamoDB number: int64 when it is an integer that fits,
// float64 otherwise (DynamoDB numbers have 38 digits; float64 is the
// closest the engine has).
func number(s string) (any, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("number %q: %w", s, err)
	}
	// "1E+3" is an integer too; DynamoDB returns numbers as they were written.
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return int64(f), nil
	}
	return f, nil
}

// keyValue converts a key value from an expression to an attribute value.
func keyValue(v any) (types.AttributeValue, error) {
	av, err := attributevalue.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("key value: %w", err)
	}
	switch av.(type) {
	case *types.AttributeValueMemberS, *types.AttributeValueMemberN:
		return av, nil
	}
	return nil, fmt.Errorf("a key value must be text or a number, not %T", v)
}
