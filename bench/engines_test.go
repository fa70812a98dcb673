package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"syscall"
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
			start := cpuTime()
			for b.Loop() {
				if _, err := h(ctx, event); err != nil {
					b.Fatal(err)
				}
			}
			// The process's CPU time, garbage collection included: on a
			// shared machine it moves far less than the wall time, which
			// the machine's other work stretches.
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
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

// cpuTime is the CPU time the process has used, in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
