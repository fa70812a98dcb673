package mapper_test

import (
	"context"
	"syscall"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// BenchmarkBudget runs the bench/ workload (20 claims, one user item, a V2
// event) through Handle with and without the evaluation budget: what the
// budget costs an ordinary mapping. BENCHMARKS.md reports the pair.
func BenchmarkBudget(b *testing.B) {
	store := tables(b, string(readFile(b, "../bench/workload/users.yaml")))
	event := readFile(b, "../bench/workload/event.json")
	src := readFile(b, "../bench/workload/mapping.yaml")
	for _, c := range []struct {
		name string
		opts func(mapper.LoadOptions) mapper.LoadOptions
	}{
		{"with", func(o mapper.LoadOptions) mapper.LoadOptions { return o }},
		{"without", mapper.Unbounded},
	} {
		b.Run(c.name, func(b *testing.B) {
			mp, fs := loaded(mapper.Load(src, c.opts(mapper.LoadOptions{File: "mapping.yaml", Store: store})))
			if err := config.Errors(fs); err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if _, err := mp.Handle(ctx, event); err != nil {
					b.Fatal(err)
				}
			}
			// The process's CPU time, garbage collection included: on a
			// shared machine it moves far less than the wall time.
			b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// TestUnboundedGivesTheSameResponse: the budget changes no result of the
// workload, so the benchmark pair compares the same work.
func TestUnboundedGivesTheSameResponse(t *testing.T) {
	t.Parallel()
	store := tables(t, string(readFile(t, "../bench/workload/users.yaml")))
	event := readFile(t, "../bench/workload/event.json")
	src := readFile(t, "../bench/workload/mapping.yaml")
	var outs []string
	for _, opts := range []mapper.LoadOptions{{File: "m.yaml", Store: store}, mapper.Unbounded(mapper.LoadOptions{File: "m.yaml", Store: store})} {
		mp, fs := loaded(mapper.Load(src, opts))
		if err := config.Errors(fs); err != nil {
			t.Fatal(err)
		}
		out, err := mp.Handle(context.Background(), event)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(out))
	}
	if outs[0] != outs[1] {
		t.Errorf("with the budget:\n%s\nwithout:\n%s", outs[0], outs[1])
	}
}

// cpuTime is the CPU time the process has used, in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
