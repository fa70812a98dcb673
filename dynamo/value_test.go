package dynamo

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Sets come back sorted (mapper.Set): DynamoDB keeps no order for them.
func TestItemConvertsEveryAttributeType(t *testing.T) {
	t.Parallel()
	av := map[string]types.AttributeValue{
		"s":     &types.AttributeValueMemberS{Value: "Ben"},
		"int":   &types.AttributeValueMemberN{Value: "42"},
		"big":   &types.AttributeValueMemberN{Value: "9007199254740993"},
		"exp":   &types.AttributeValueMemberN{Value: "1E+3"},
		"float": &types.AttributeValueMemberN{Value: "1.5"},
		"bool":  &types.AttributeValueMemberBOOL{Value: true},
		"null":  &types.AttributeValueMemberNULL{Value: true},
		"b":     &types.AttributeValueMemberB{Value: []byte("hi")},
		"bs":    &types.AttributeValueMemberBS{Value: [][]byte{[]byte("b"), []byte("a")}},
		"ss":    &types.AttributeValueMemberSS{Value: []string{"y", "x"}},
		"ns":    &types.AttributeValueMemberNS{Value: []string{"10", "2.5", "1"}},
		"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "a"}, &types.AttributeValueMemberN{Value: "7"},
		}},
		"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"n": &types.AttributeValueMemberN{Value: "-3"},
			"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberBOOL{Value: false}}},
		}},
	}
	want := map[string]any{
		"s": "Ben", "int": int64(42), "big": int64(9007199254740993), "exp": int64(1000), "float": 1.5,
		"bool": true, "null": nil, "b": "aGk=", "bs": []any{"YQ==", "Yg=="},
		"ss": []any{"x", "y"}, "ns": []any{int64(1), 2.5, int64(10)}, "l": []any{"a", int64(7)},
		"m": map[string]any{"n": int64(-3), "l": []any{false}},
	}
	got, err := Item(av)
	if err != nil {
		t.Fatal(err)
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s: got %#v, want %#v", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d attributes, want %d", len(got), len(want))
	}
}

func TestKeyValueAcceptsOnlyTextAndNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want types.AttributeValue
	}{
		{"text becomes S", "ben", &types.AttributeValueMemberS{Value: "ben"}},
		{"an int64 becomes N", int64(12), &types.AttributeValueMemberN{Value: "12"}},
		{"an int becomes N", 12, &types.AttributeValueMemberN{Value: "12"}},
		{"a float becomes N", 1.25, &types.AttributeValueMemberN{Value: "1.25"}},
		{"a bool is refused", true, nil},
		{"a list is refused", []any{"a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := keyValue(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Fatalf("got %#v, want an error", got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, %v; want %#v", got, err, tt.want)
			}
		})
	}
}
