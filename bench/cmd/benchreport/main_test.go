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
BenchmarkEngines/handwritten-2 	 1000	 20000 ns/op	 20000 cpu-ns/op	 12000 B/op	 180 allocs/op
BenchmarkEngines/handwritten-2 	 1000	 22000 ns/op	 22000 cpu-ns/op	 12000 B/op	 180 allocs/op
BenchmarkEngines/mapper-2      	 1000	 18000 ns/op	 18000 cpu-ns/op	 10000 B/op	 160 allocs/op
BenchmarkEngines/mapper-2      	 1000	 18000 ns/op	 18000 cpu-ns/op	 10000 B/op	 160 allocs/op
BenchmarkEngines/cel-2         	 1000	 34000 ns/op	 34000 cpu-ns/op	 19000 B/op	 380 allocs/op
BenchmarkEngines/goja-2        	 1000	 80000 ns/op	 80000 cpu-ns/op	 53000 B/op	 1080 allocs/op
BenchmarkEngines/jsonnet-2     	 1000	 1100000 ns/op	 1100000 cpu-ns/op	 900000 B/op	 12000 allocs/op
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
BenchmarkColdStart-2 	 15	 200000000 ns/op	 44.00 claims100-first-answer-ms	 14.50 claims100-init-ms	 42.00 handwritten-first-answer-ms	 9.500 handwritten-init-ms	 13100000 handwritten-zip-bytes	 36.00 hello-first-answer-ms	 4.000 hello-init-ms	 2620000 hello-zip-bytes	 40.00 seed-first-answer-ms	 5.000 seed-init-ms	 1.300 seed-init-per-hello	 4020000 seed-zip-bytes	 2.300 handwritten-init-per-hello	 3.500 claims100-init-per-hello
BenchmarkWarm-2 	 15	 3000000000 ns/op	 0.4000 handwritten-cpu-ms/call	 24.00 handwritten-peak-MiB	 0.1000 hello-cpu-ms/call	 9.000 hello-peak-MiB	 0.3000 seed-cpu-ms/call	 16.50 seed-peak-MiB
BenchmarkPackageInit-2 	 15	 30000000 ns/op	 2.500 handwritten-pkg-init-ms	 0.4000 hello-pkg-init-ms	 0.8000 seed-pkg-init-ms
BenchmarkInit/aws-config-2 	 1000000	 1200 ns/op	 232 B/op	 4 allocs/op
BenchmarkInit/dynamodb-store-2 	 400000	 5000 ns/op	 1904 B/op	 27 allocs/op
BenchmarkInit/metrics-2 	 1000000	 1000 ns/op	 144 B/op	 1 allocs/op
BenchmarkInit/mapping-text-2 	 800000	 3800 ns/op	 1264 B/op	 4 allocs/op
BenchmarkEvaluateTenTests-2 	 500	 3000000 ns/op	 1.000 compiles/op	 1.000 parses/op	 677000 B/op	 9257 allocs/op
BenchmarkInit/mapping-compile-2 	 7000	 150000 ns/op	 70323 B/op	 728 allocs/op
BenchmarkDynamoDBCost/projection-2 	 20	 1139112 ns/op	 1.000 requests/op	 152.0 resp-bytes/op
BenchmarkDynamoDBCost/whole-item-2 	 20	 646631 ns/op	 1.000 requests/op	 1764 resp-bytes/op
BenchmarkDynamoDBCost/three-sources-50ms-2 	 20	 53363158 ns/op	 3.000 min-in-flight	 3.000 requests/op
dist/claimsmapper-arm64.zip: bootstrap 9109666 bytes, zip 3637009 bytes
dist/claimsmapper-amd64.zip: bootstrap 9822370 bytes, zip 3990000 bytes
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
		"| handwritten | 21,000 | 21,000 | 12,000 | 180 | 1.00x | 1.17x |", // the median of 20,000 and 22,000
		"| mapper within 1.05x of hand-written | 0.86x of hand-written | yes |",
		"| with the cost model | 19,000 | 21,000 | 10,600 | 170 | 1.05x |",
		"the cost model costs +5.0% of CPU here.",
		"| mapper at least 10x faster than go-jsonnet | 61.11x faster | yes |",
		"| mapper at least 3x faster than goja | 4.44x faster | yes |",
		"| a 100-claim mapping loads in under 20 ms | 1.4 ms | yes |",
		"| aws-lambda-go hello (the floor) | 4.0 ms | 1.00x | 1.00x | 36.0 ms | 1.00x | 2.62 MB |",
		"| claimsmapper, seed mapping | 5.0 ms | 1.25x | 1.30x | 40.0 ms | 1.11x | 4.02 MB |",
		"| claimsmapper, 100 claims | 14.5 ms | 3.62x | 3.50x | 44.0 ms | 1.22x | (same binary) |",
		"| init within 1.5x of the aws-lambda-go hello (seed mapping, emulator; median of the paired ratios) | 1.30x (medians: 5.0 ms against 4.0 ms) | yes |",
		"| claimsmapper, seed mapping | 0.30 ms | 16.5 MiB |",
		"| warm CPU per call no worse than before (0.85 ms, seed job, emulator) | 0.30 ms | yes |",
		"| peak memory no worse than before (22 MiB, seed job after 1,100 calls) | 16.5 MiB | yes |",
		"| deployment zip under 4 MB (`make package`, each architecture) | arm64 3.64 MB, amd64 3.99 MB | yes |",
		"| package initialisers (`GODEBUG=inittrace=1`) | 800.0 µs | 400.0 µs |",
		"| parse, check and compile the mapping | 150.0 µs | — |",
		"| the rest: starting the process, loading the binary, the Go runtime, asking for the first event | 4.0 ms | 3.6 ms |",
		"| 30-attribute item, mapping reads 2 (computed projection) | 1 | 152 |",
		"The projection returns 11.61x fewer bytes",
		"| `dist/claimsmapper-arm64.zip` | 9,109,666 | 3,637,009 |",
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
	partial := strings.ReplaceAll(sample, "seed-init-ms", "other-ms")
	if err := os.WriteFile(in, []byte(partial), 0o600); err != nil {
		t.Fatal(err)
	}
	err := run(filepath.Join(dir, "out.md"), []string{in})
	if err == nil || !strings.Contains(err.Error(), "no seed-init-ms for BenchmarkColdStart") {
		t.Fatalf("error %v, want one naming seed-init-ms of BenchmarkColdStart", err)
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
