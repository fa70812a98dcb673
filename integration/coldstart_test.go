package integration

import (
	"context"
	"fmt"
	"maps"
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

// BenchmarkColdStart times a cold start per iteration: from starting a fresh
// emulator and bootstrap to the first answered invocation. handwritten is
// the seed job written by hand against the same SDK client, the floor for
// what claimsmapper costs at init; seed and claims100 are claimsmapper with
// the seed mapping and with the 100-claim scaled mapping. init-ms is the
// init as the emulator timed it.
func BenchmarkColdStart(b *testing.B) {
	testenv.Integration(b)
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
	runs := []coldStart{
		{"handwritten", handwritten, env("TABLE_NAME", "SampleUsers"), seedEvent, seedClaims},
		{"seed", claimsmapper, env("TABLE_NAME", "SampleUsers", "CLAIMS_MAPPING_ENV", "TABLE_NAME", "CLAIMS_MAPPING", string(readFile(b, "../testdata/seed/mapping.yaml"))), seedEvent, seedClaims},
		{"claims100", claimsmapper, env("CLAIMS_MAPPING", string(readFile(b, "../testdata/scale/claims100.yaml"))), readFile(b, "../testdata/events/v2.json"), scaledClaims},
	}
	for _, r := range runs {
		b.Run(r.name, func(b *testing.B) {
			emu := testenv.LockEmulator(b)
			var fn *testenv.Function
			// Stops the last function if an iteration fails.
			b.Cleanup(func() {
				if fn != nil {
					fn.Stop()
				}
			})
			var inits time.Duration
			i, n := 0, 0
			for b.Loop() {
				i++
				var err error
				fn, err = emu.Start(r.bootstrap, r.env)
				if err != nil {
					testenv.Unavailable(b, "%v", err)
				}
				inv := fn.Invoke(b, fmt.Sprintf("cold-%d", i), r.event)
				b.StopTimer()
				if inv.Status != 200 || inv.FunctionError != "" {
					b.Fatalf("status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, fn.Output())
				}
				if err := r.check(decode(b, inv.Body)); err != nil {
					b.Fatalf("%v\n%s", err, fn.Output())
				}
				fn.WaitOutput("INIT REPORT", time.Second)
				if d, ok := fn.InitDuration(); ok {
					inits += d
					n++
				}
				fn.Stop()
				b.StartTimer()
			}
			if n > 0 {
				b.ReportMetric(float64(inits.Microseconds())/1000/float64(n), "init-ms")
			}
		})
	}
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
	mp, err := loadErr(mapper.Load(readFile(t, "../testdata/seed/mapping.yaml"), mapper.LoadOptions{File: "mapping.yaml", Config: config.Options{AllowEnv: []string{"TABLE_NAME"}}, Store: dynamo.New(db.API, nil)}))
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
