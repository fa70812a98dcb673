package dynval_test

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

func TestKeysCompareAsDynamoDBComparesThem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b any
		want int
		ok   bool
	}{
		{int64(1), 1.0, 0, true},
		{int64(9007199254740993), float64(9007199254740992), 1, true},
		{1, int64(2), -1, true},
		{int64(2), int64(10), -1, true},
		{int64(-9223372036854775808), int64(9223372036854775807), -1, true},
		{2.5, -1.5, 1, true},
		{math.Copysign(0, -1), 0.0, 0, true},
		{math.Inf(1), 1e308, 1, true},
		{math.NaN(), 1.0, 0, false},
		{1.0, math.NaN(), 0, false},
		{"a", "b", -1, true},
		{"Z", "a", -1, true},
		{"é", "z", 1, true},
		{"1", int64(1), 0, false},
		{nil, nil, 0, false},
	}
	for _, tt := range tests {
		c, ok := dynval.Compare(tt.a, tt.b)
		if c != tt.want || ok != tt.ok {
			t.Errorf("CompareKeys(%#v, %#v) = %d, %v; want %d, %v", tt.a, tt.b, c, ok, tt.want, tt.ok)
		}
	}
}

func TestSetsAreSorted(t *testing.T) {
	t.Parallel()
	got := dynval.Set([]any{int64(10), 2.5, int64(-1)})
	if jsonText(got) != `[-1,2.5,10]` {
		t.Errorf("got %s", jsonText(got))
	}
	got = dynval.Set([]any{"b", "B", "a"})
	if jsonText(got) != `["B","a","b"]` {
		t.Errorf("got %s", jsonText(got))
	}
}

func TestDynamoDBNumbersAreReadAsTheyAreMeant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     any
	}{
		{"a whole number is int64", "42", int64(42)},
		{"a whole number in exponent form is int64", "1E+3", int64(1000)},
		{"a whole number written with a fraction is int64", "-7.0", int64(-7)},
		{"a fraction is float64", "4.5", 4.5},
		{"a whole number beyond int64 is float64", "1E+125", 1e125},
		{"the smallest number DynamoDB keeps is float64", "1E-130", 1e-130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := dynval.Number(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("Number(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestTextThatIsNoFiniteNumberIsRefusedAsANumber(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "abc", "NaN", "Infinity", "-Inf", "1e400"} {
		t.Run("refuses "+in, func(t *testing.T) {
			t.Parallel()
			got, err := dynval.Number(in)
			if err == nil || !strings.Contains(err.Error(), "is not a number") {
				t.Errorf("Number(%q) = %#v, %v; want an error that says it is not a number", in, got, err)
			}
		})
	}
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}
