package integration

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// coldStart is one function for the cold start benchmark: what it runs, on
// which event, and the claims its answer must hold.
type coldStart struct {
	name      string
	bootstrap string
	env       map[string]string
	event     []byte
	check     func(body map[string]any) error
}

// coldStartFunctions builds the functions the cold start benchmarks
// compare, each as `make package` builds claimsmapper: hello, the
// aws-lambda-go function that returns its event (bench/cmd/hellolambda),
// the floor for any Go function; handwritten, the seed job written by hand
// with the AWS SDK's DynamoDB client; seed and claims100, claimsmapper with
// the seed mapping and the 100-claim scaled mapping. Tables are in dynalite.
func coldStartFunctions(b *testing.B) []coldStart {
	hello := testenv.BuildLambdaIn(b, b.TempDir(), "bench", "./cmd/hellolambda")
	handwritten := testenv.BuildLambda(b, b.TempDir(), "./internal/cmd/handwrittenlambda")
	claimsmapper := testenv.BuildBootstrap(b, b.TempDir())
	db := testenv.StartDynamoDB(b)
	seedColdStartData(b, db)

	env := func(extra ...string) map[string]string {
		e := testenv.AWSEnv(db.Endpoint)
		e["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "5"
		for i := 0; i+1 < len(extra); i += 2 {
			e[extra[i]] = extra[i+1]
		}
		return e
	}
	seedEvent := readFile(b, "../testdata/seed/event.json")
	seedClaims := func(body map[string]any) error {
		claims := dig(body, "response", "claimsOverrideDetails", "claimsToAddOrOverride")
		if fmt.Sprint(claims) != "map[firstName:Ben lastName:Pyle]" {
			return fmt.Errorf("claims %v, want firstName Ben, lastName Pyle", claims)
		}
		return nil
	}
	echoed := func(body map[string]any) error {
		if dig(body, "userName") != "benbpyle" {
			return fmt.Errorf("the event was not returned: %v", body)
		}
		return nil
	}
	return []coldStart{
		{"hello", hello, env(), seedEvent, echoed},
		{"handwritten", handwritten, env("TABLE_NAME", "SampleUsers"), seedEvent, seedClaims},
		{"seed", claimsmapper, env("TABLE_NAME", "SampleUsers", "CLAIMS_MAPPING_ENV", "TABLE_NAME", "CLAIMS_MAPPING", string(readFile(b, "../testdata/seed/mapping.yaml"))), seedEvent, seedClaims},
		{"claims100", claimsmapper, env("CLAIMS_MAPPING", string(readFile(b, "../testdata/scale/claims100.yaml"))), readFile(b, "../testdata/events/v2.json"), scaledClaims},
	}
}

// samples collects each function's measurements in an interleaved run and
// reports the medians as NAME-UNIT.
type samples map[string][]float64

func (s samples) add(fn, unit string, v float64) { s[fn+"-"+unit] = append(s[fn+"-"+unit], v) }

func (s samples) report(b *testing.B) {
	for _, k := range slices.Sorted(maps.Keys(s)) {
		b.ReportMetric(median(s[k]), k)
	}
}

// rotate is fns starting at the i-th: each iteration of an interleaved run
// starts with another function, so none is always first after a pause.
func rotate(fns []coldStart, i int) []coldStart {
	i %= len(fns)
	return append(slices.Clone(fns[i:]), fns[:i]...)
}

// BenchmarkColdStart times cold starts side by side under the emulator:
// each iteration cold-starts every function once, in turn, so a busy
// machine slows them alike. For each, NAME-first-answer-ms is from starting
// a fresh emulator and bootstrap to the first answered invocation, and
// NAME-init-ms the init as the emulator timed it (its INIT REPORT), each
// the median of the iterations; NAME-init-per-hello is the median of each
// iteration's ratio of the function's init to the hello's, which ran
// back to back with it; NAME-zip-bytes is the function's zip, made
// as `make package` makes it. Every function runs with the environment
// Lambda gives one, not this machine's.
func BenchmarkColdStart(b *testing.B) {
	testenv.Integration(b)
	fns := coldStartFunctions(b)
	emu := testenv.LockEmulator(b)
	var fn *testenv.Function
	// Stops the last function if an iteration fails.
	b.Cleanup(func() {
		if fn != nil {
			fn.Stop()
		}
	})
	got := samples{}
	i := 0
	for b.Loop() {
		inits := map[string]float64{}
		for _, r := range rotate(fns, i) {
			i++
			start := time.Now()
			var err error
			fn, err = emu.StartAsLambda(r.bootstrap, r.env)
			if err != nil {
				testenv.Unavailable(b, "%v", err)
			}
			inv := fn.Invoke(b, fmt.Sprintf("cold-%d", i), r.event)
			answered := time.Since(start)
			if inv.Status != 200 || inv.FunctionError != "" {
				b.Fatalf("%s: status %d, error %q: %s\n%s", r.name, inv.Status, inv.FunctionError, inv.Body, fn.Output())
			}
			if err := r.check(decode(b, inv.Body)); err != nil {
				b.Fatalf("%s: %v\n%s", r.name, err, fn.Output())
			}
			fn.WaitOutput("INIT REPORT", 10*time.Second) // returns once it is there
			d, ok := fn.InitDuration()
			if !ok {
				b.Fatalf("%s: no INIT REPORT from the emulator:\n%s", r.name, fn.Output())
			}
			inits[r.name] = float64(d.Microseconds()) / 1000
			got.add(r.name, "init-ms", inits[r.name])
			got.add(r.name, "first-answer-ms", float64(answered.Microseconds())/1000)
			fn.Stop()
			fn = nil
		}
		// The same iteration's hello ran just before or after: their ratio
		// cancels what the machine's load did to both.
		for _, r := range fns[1:] {
			got.add(r.name, "init-per-hello", inits[r.name]/inits["hello"])
		}
	}
	seen := map[string]bool{}
	for _, r := range fns {
		if !seen[r.bootstrap] {
			seen[r.bootstrap] = true
			got.add(r.name, "zip-bytes", float64(testenv.ZipSize(b, r.bootstrap)))
		}
	}
	got.report(b)
}

// BenchmarkWarm serves the seed event warm, as a busy user pool does: each
// iteration starts every function in turn and sends it 1,100 events after
// the first. What the function's own process used (not the emulator's):
// NAME-cpu-ms/call, its CPU (user and system) per call, the median of the
// iterations; NAME-peak-MiB, its peak resident memory, what Lambda reports
// as Max Memory Used, the largest seen.
func BenchmarkWarm(b *testing.B) {
	testenv.Integration(b)
	const calls = 1100
	fns := coldStartFunctions(b)[:3] // hello, handwritten, seed
	emu := testenv.LockEmulator(b)
	got := samples{}
	peak := map[string]int64{}
	i := 0
	for b.Loop() {
		for _, r := range rotate(fns, i) {
			i++
			fn, err := emu.StartAsLambda(r.bootstrap, r.env)
			if err != nil {
				testenv.Unavailable(b, "%v", err)
			}
			fn.Invoke(b, "warm-0", r.event)
			before, err := fn.Usage()
			if err != nil {
				fn.Stop()
				b.Fatal(err)
			}
			for j := range calls {
				inv := fn.Invoke(b, fmt.Sprintf("warm-%d", j+1), r.event)
				if inv.Status != 200 || inv.FunctionError != "" {
					fn.Stop()
					b.Fatalf("%s: status %d, error %q: %s", r.name, inv.Status, inv.FunctionError, inv.Body)
				}
			}
			after, err := fn.Usage()
			fn.Stop()
			if err != nil {
				b.Fatal(err)
			}
			got.add(r.name, "cpu-ms/call", float64((after.CPU-before.CPU).Microseconds())/1000/calls)
			peak[r.name] = max(peak[r.name], after.PeakRSS)
		}
	}
	for name, p := range peak {
		got.add(name, "peak-MiB", float64(p)/(1<<20))
	}
	got.report(b)
}

// BenchmarkPackageInit times the package initialisers of each function's
// binary (GODEBUG=inittrace=1, the sum of its "ms clock"), run directly and
// in turn: what every cold start pays before main. NAME-pkg-init-ms is the
// median.
func BenchmarkPackageInit(b *testing.B) {
	testenv.Integration(b)
	fns := coldStartFunctions(b)[:3]
	got := samples{}
	i := 0
	for b.Loop() {
		for _, r := range rotate(fns, i) {
			i++
			ms, err := testenv.PackageInit(r.bootstrap)
			if err != nil {
				b.Fatal(err)
			}
			got.add(r.name, "pkg-init-ms", ms)
		}
	}
	got.report(b)
}

func median(vs []float64) float64 {
	vs = slices.Clone(vs)
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2
	}
	return vs[len(vs)/2]
}

// seedColdStartData puts the seed users, and the user the scaled mapping
// reads, in DynamoDB.
func seedColdStartData(b testing.TB, db *testenv.DynamoDB) {
	b.Helper()
	for _, tb := range []testenv.Table{{Name: "SampleUsers", PK: "userName"}, {Name: "Users", PK: "userName"}} {
		db.CreateTable(b, tb)
	}
	db.Put(b, "SampleUsers",
		map[string]any{"userName": "benbpyle", "FirstName": "Ben", "LastName": "Pyle"},
		map[string]any{"userName": "jdoe", "FirstName": "Jane", "LastName": "Doe"})
	// The item mapper's scale benchmarks use.
	db.Put(b, "Users", map[string]any{
		"userName": "jdoe", "FirstName": "Ben", "LastName": "Pyle",
		"active": true, "roles": []any{"admin", "guest", "dev"},
	})
}

// scaledClaims checks a V2 answer to the 100-claim mapping: every claim in
// the ID token, with samples of each kind.
func scaledClaims(body map[string]any) error {
	claims, _ := dig(body, "response", "claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride").(map[string]any)
	if len(claims) != 100 {
		return fmt.Errorf("%d claims in the ID token, want 100: %v", len(claims), claims)
	}
	want := map[string]string{"c0": "Ben", "c1": "PYLE-1", "c2": "free", "c99": "[admin dev]"}
	for name, v := range want {
		if got := fmt.Sprint(claims[name]); got != v {
			return fmt.Errorf("claim %s = %s, want %s", name, got, v)
		}
	}
	return nil
}

// TestHandwrittenLambda checks the benchmark's baseline does the same job:
// under the emulator, its claims for the seed event are the ones the seed
// mapping gives.
func TestHandwrittenLambda(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildLambda(t, t.TempDir(), "./internal/cmd/handwrittenlambda")
	db := testenv.StartDynamoDB(t)
	seedColdStartData(t, db)
	event := readFile(t, "../testdata/seed/event.json")

	env := testenv.AWSEnv(db.Endpoint)
	env["TABLE_NAME"] = "SampleUsers"
	fn := testenv.StartFunction(t, bootstrap, env)
	inv := fn.Invoke(t, "handwritten", event)
	if inv.Status != 200 || inv.FunctionError != "" {
		t.Fatalf("status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, fn.Output())
	}
	got, _ := dig(decode(t, inv.Body), "response", "claimsOverrideDetails", "claimsToAddOrOverride").(map[string]any)

	t.Setenv("TABLE_NAME", "SampleUsers")
	mp, err := loadErr(mapper.Load(readFile(t, "../testdata/seed/mapping.yaml"), mapper.LoadOptions{File: "mapping.yaml", Env: config.Env{Allow: []string{"TABLE_NAME"}}, Store: dynamo.New(db.API, nil)}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := mp.Handle(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := dig(decode(t, out), "response", "claimsOverrideDetails", "claimsToAddOrOverride").(map[string]any)
	if len(want) == 0 || !maps.Equal(got, want) {
		t.Errorf("hand-written claims %v, claimsmapper's %v", got, want)
	}
}
