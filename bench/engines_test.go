package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"testing"
)

// TestEnginesGiveTheSameResponse keeps the comparison honest: every engine
// answers the workload's event with the response in workload/response.json
// (what `claimsmapper run` prints for it), compared as JSON values.
func TestEnginesGiveTheSameResponse(t *testing.T) {
	event, store, err := Workload()
	if err != nil {
		t.Fatal(err)
	}
	want := decodeJSON(t, mustRead("workload/response.json"))
	for _, e := range Engines {
		t.Run(e.Name, func(t *testing.T) {
			h, err := e.New(store)
			if err != nil {
				t.Fatal(err)
			}
			for range 2 { // a reused runtime must give the same answer again
				got, err := h(context.Background(), event)
				if err != nil {
					t.Fatal(err)
				}
				if g := decodeJSON(t, got); !reflect.DeepEqual(g, want) {
					t.Fatalf("response differs from workload/response.json:\n%s", indent(t, got))
				}
			}
		})
	}
}

// BenchmarkEngines runs the workload through every engine side by side.
func BenchmarkEngines(b *testing.B) {
	event, store, err := Workload()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range Engines {
		h, err := e.New(store)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(e.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h(ctx, event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func decodeJSON(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return v
}

func indent(t *testing.T, b []byte) string {
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return string(b)
	}
	return out.String()
}
