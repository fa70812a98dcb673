package dynamo

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// Item converts a DynamoDB item to the values expressions see, as mapper's
// value model defines them (mapper.Number, mapper.Binary, mapper.Set): S
// text, N int64 when whole and within int64 else float64, BOOL bool, NULL
// nil, M map, L list, B base64 text, and SS, NS and BS sorted lists.
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
		return mapper.Number(string(x))
	case []byte:
		return mapper.Binary(x), nil
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
		return set(x)
	case []attributevalue.Number:
		return set(x)
	case [][]byte:
		return set(x)
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

// set converts a string, number or binary set, which DynamoDB returns in no
// particular order, to a sorted list.
func set[T any](xs []T) ([]any, error) {
	out, err := list(xs)
	if err != nil {
		return nil, err
	}
	return mapper.Set(out), nil
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
