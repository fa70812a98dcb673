package dynval

import (
	"reflect"
	"testing"
)

func TestProjectKeepsWhatIsNamedInACopy(t *testing.T) {
	t.Parallel()
	item := map[string]any{"a": 1, "b": "x", "c": []any{true}}
	tests := []struct {
		name  string
		names []string
		want  map[string]any
	}{
		{"nil names keep every attribute", nil, item},
		{"named attributes only", []string{"a", "c"}, map[string]any{"a": 1, "c": []any{true}}},
		{"a name the item lacks is left out", []string{"b", "z"}, map[string]any{"b": "x"}},
		{"no names keep nothing", []string{}, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Project(item, tt.names)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Project(%v) = %v, want %v", tt.names, got, tt.want)
			}
			got["new"] = 1
			if _, ok := item["new"]; ok {
				t.Error("the projection shares the item's map")
			}
		})
	}
	if got := Project(nil, []string{"a"}); len(got) != 0 {
		t.Errorf("a missing item projects to nothing, got %v", got)
	}
}
