package preview

import (
	"math"
	"testing"
)

func TestSameIsTheSameJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		a, b any
		same bool
	}{
		{"text 1 and number 1 differ", "1", int64(1), false},
		{"text true and boolean true differ", "true", true, false},
		{"text 42 and number 42 differ", "42", int64(42), false},
		{"an integer and the same float are the same number", int64(1), float64(1), true},
		{"an int and an int64 are the same number", 7, int64(7), true},
		{"lists compare in order", []any{"a", "b"}, []any{"b", "a"}, false},
		{"equal lists are the same", []any{"a", int64(2)}, []any{"a", float64(2)}, true},
		{"maps compare by key, not by order of writing", map[string]any{"a": 1, "b": 2}, map[string]any{"b": 2, "a": 1}, true},
		{"null and empty text differ", nil, "", false},
		{"null is null", nil, nil, true},
		{"an empty list is not null", []any{}, nil, false},
		{"a value JSON cannot write is the same as no other", math.NaN(), math.NaN(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Same(tt.a, tt.b); got != tt.same {
				t.Errorf("Same(%#v, %#v) = %v, want %v", tt.a, tt.b, got, tt.same)
			}
			if got := Same(tt.b, tt.a); got != tt.same {
				t.Errorf("Same is not symmetric for %#v and %#v", tt.a, tt.b)
			}
		})
	}
}
