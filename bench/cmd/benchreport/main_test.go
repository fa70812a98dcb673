package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sample is benchmark output with everything the report needs, two runs of
// the engines so medians are taken.
const sample = `goos: linux
cpu: Test CPU @ 2.00GHz
BenchmarkEngines/handwritten-2 	 1000	 20000 ns/op	 12000 B/op	 180 allocs/op
BenchmarkEngines/handwritten-2 	 1000	 22000 ns/op	 12000 B/op	 180 allocs/op
BenchmarkEngines/mapper-2      	 1000	 18000 ns/op	 10000 B/op	 160 allocs/op
BenchmarkEngines/mapper-2      	 1000	 18000 ns/op	 10000 B/op	 160 allocs/op
BenchmarkEngines/cel-2         	 1000	 34000 ns/op	 19000 B/op	 380 allocs/op
BenchmarkEngines/goja-2        	 1000	 80000 ns/op	 53000 B/op	 1080 allocs/op
BenchmarkEngines/jsonnet-2     	 1000	 1100000 ns/op	 900000 B/op	 12000 allocs/op
BenchmarkBudget/with-2         	 1000	 19000 ns/op	 21000 cpu-ns/op	 10600 B/op	 170 allocs/op
BenchmarkBudget/without-2      	 1000	 18000 ns/op	 20000 cpu-ns/op	 10000 B/op	 160 allocs/op
BenchmarkCostHonesty-2         	 1	 5000000000 ns/op	 4.000 bound-B/charged-B	 20.00 bound-steps/unit	 75.00 step-ns	 1.280 worst-B/charged-B	 3.200 worst-steps/unit
BenchmarkCostHonesty-2         	 1	 5000000000 ns/op	 4.000 bound-B/charged-B	 20.00 bound-steps/unit	 75.00 step-ns	 1.100 worst-B/charged-B	 3.500 worst-steps/unit
BenchmarkHandler/mapper-2      	 1000	 8000 ns/op	 4400 B/op	 73 allocs/op
BenchmarkHandler/handwritten-2 	 1000	 8500 ns/op	 4100 B/op	 73 allocs/op
BenchmarkScaleEvaluate/claims=10-2 	 1000	 12000 ns/op	 6000 B/op	 111 allocs/op
BenchmarkScaleEvaluate/claims=100-2 	 1000	 43000 ns/op	 22000 B/op	 425 allocs/op
BenchmarkScaleEvaluate/claims=1000-2 	 100	 486000 ns/op	 252000 B/op	 3579 allocs/op
BenchmarkScaleLoad/claims=10-2 	 100	 150000 ns/op	 198000 B/op	 1662 allocs/op
BenchmarkScaleLoad/claims=100-2 	 10	 1400000 ns/op	 1800000 B/op	 15055 allocs/op
BenchmarkScaleLoad/claims=1000-2 	 1	 17600000 ns/op	 17900000 B/op	 147854 allocs/op
BenchmarkColdStart/handwritten-2 	 10	 40000000 ns/op	 9.5 init-ms
BenchmarkColdStart/seed-2      	 10	 45000000 ns/op	 11.0 init-ms
BenchmarkColdStart/claims100-2 	 10	 47000000 ns/op	 14.5 init-ms
BenchmarkDynamoDBCost/projection-2 	 20	 1139112 ns/op	 1.000 requests/op	 152.0 resp-bytes/op
BenchmarkDynamoDBCost/whole-item-2 	 20	 646631 ns/op	 1.000 requests/op	 1764 resp-bytes/op
BenchmarkDynamoDBCost/three-sources-50ms-2 	 20	 53363158 ns/op	 3.000 min-in-flight	 3.000 requests/op
dist/claimsmapper-arm64.zip: bootstrap 19333282 bytes, zip 6253146 bytes
dist/claimsmapper-amd64.zip: bootstrap 21258402 bytes, zip 7012030 bytes
`

func TestReport(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.txt"), filepath.Join(dir, "BENCHMARKS.md")
	if err := os.WriteFile(in, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(out, []string{in}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| handwritten | 21,000 | 12,000 | 180 | 1.00x | 1.17x |", // the median of 20,000 and 22,000
		"| mapper within 1.05x of hand-written | 0.86x of hand-written | yes |",
		"| with the budget | 19,000 | 21,000 | 10,600 | 170 | 1.05x |",
		"the cost model costs +5.0% of CPU here.",
		"| mapper at least 10x faster than go-jsonnet | 61.11x faster | yes |",
		"| mapper at least 3x faster than goja | 4.44x faster | yes |",
		"| a 100-claim mapping loads in under 20 ms | 1.4 ms | yes |",
		"| claimsmapper, 100 claims | 47.0 ms | +7.0 ms | 14.5 ms | +5.0 ms |",
		"| 30-attribute item, mapping reads 2 (computed projection) | 1 | 152 |",
		"The projection returns 11.61x fewer bytes",
		"| `dist/claimsmapper-arm64.zip` | 19,333,282 | 6,253,146 |",
		"Machine: Test CPU @ 2.00GHz",
		"| wall time per unit of work, in loop steps | 3.5 | 20 |", // the worst of the runs
		"| bytes allocated per byte charged (and 64 per unit of work) | 1.28 | 4 |",
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the report lacks %q:\n%s", want, b)
		}
	}
}

func TestReportNamesWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	partial := strings.ReplaceAll(sample, "BenchmarkColdStart/seed", "BenchmarkOther")
	if err := os.WriteFile(in, []byte(partial), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(filepath.Join(dir, "out.md"), []string{in})
	if err == nil || !strings.Contains(err.Error(), "BenchmarkColdStart/seed") {
		t.Fatalf("error %v, want one naming BenchmarkColdStart/seed", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "out.md")); statErr == nil {
		t.Error("a report was written despite missing results")
	}
}

func TestCount(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := count(v); got != want {
			t.Errorf("count(%v) = %q, want %q", v, got, want)
		}
	}
}
