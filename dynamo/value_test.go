package dynamo

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// Sets come back sorted (mapper.Set): DynamoDB keeps no order for them.
func TestItemConvertsEveryAttributeType(t *testing.T) {
	t.Parallel()
	// As DynamoDB sends it.
	var av map[string]AttributeValue
	err := json.Unmarshal([]byte(`{
		"s": {"S": "Ben"}, "int": {"N": "42"}, "big": {"N": "9007199254740993"},
		"exp": {"N": "1E+3"}, "float": {"N": "1.5"}, "bool": {"BOOL": true},
		"null": {"NULL": true}, "b": {"B": "aGk="}, "bs": {"BS": ["Yg==", "YQ=="]},
		"ss": {"SS": ["y", "x"]}, "ns": {"NS": ["10", "2.5", "1"]},
		"l": {"L": [{"S": "a"}, {"N": "7"}]},
		"m": {"M": {"n": {"N": "-3"}, "l": {"L": [{"BOOL": false}]}}},
		"empty": {"S": ""}, "emptyL": {"L": []}, "emptyM": {"M": {}}, "emptyB": {"B": ""}
	}`), &av)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"s": "Ben", "int": int64(42), "big": int64(9007199254740993), "exp": int64(1000), "float": 1.5,
		"bool": true, "null": nil, "b": "aGk=", "bs": []any{"YQ==", "Yg=="},
		"ss": []any{"x", "y"}, "ns": []any{int64(1), 2.5, int64(10)}, "l": []any{"a", int64(7)},
		"m":     map[string]any{"n": int64(-3), "l": []any{false}},
		"empty": "", "emptyL": []any{}, "emptyM": map[string]any{}, "emptyB": "",
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

func TestItemRefusesAValueOfNoType(t *testing.T) {
	t.Parallel()
	var av map[string]AttributeValue
	if err := json.Unmarshal([]byte(`{"x": {"M": {"y": {"XX": 1}}}}`), &av); err != nil {
		t.Fatal(err)
	}
	if _, err := Item(av); err == nil || !strings.Contains(err.Error(), `attribute "x": "y": a value of no known DynamoDB type`) {
		t.Errorf("error %v", err)
	}
}

func TestKeyValueAcceptsOnlyTextAndNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want string // the value as DynamoDB receives it; empty for an error
	}{
		{"text becomes S", "ben", `{"S":"ben"}`},
		{"an int64 becomes N", int64(12), `{"N":"12"}`},
		{"an int becomes N", 12, `{"N":"12"}`},
		{"a float becomes N", 1.25, `{"N":"1.25"}`},
		{"a large float is written without an exponent", 1e21, `{"N":"1000000000000000000000"}`},
		{"a bool is refused", true, ""},
		{"a list is refused", []any{"a"}, ""},
		{"NaN is refused", math.NaN(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := keyValue(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("got %#v, want an error", got)
				}
				// Authors read this: never a Go type.
				if m := err.Error(); strings.Contains(m, "[]interface") || strings.Contains(m, "float64") || strings.Contains(m, " bool") {
					t.Errorf("the message names a Go type: %s", m)
				}
				return
			}
			b, _ := json.Marshal(got)
			if err != nil || string(b) != tt.want {
				t.Fatalf("got %s, %v; want %s", b, err, tt.want)
			}
		})
	}
}
