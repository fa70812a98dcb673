package workspace

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// env is a process environment for tests: only what it lists is set.
func env(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(name string) (string, bool) { v, ok := m[name]; return v, ok }
}

func seed(t *testing.T) (string, []byte) {
	t.Helper()
	file := filepath.Join("..", "..", "testdata", "seed", "mapping.yaml")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return file, src
}

func TestEnvSaysWhereEachNameComesFrom(t *testing.T) {
	t.Parallel()
	e := Env{Flags: map[string]string{"A": "flag"}, Process: env("A", "process", "B", "process")}
	if v, _ := e.Lookup("A"); v != "flag" {
		t.Errorf("--env should come before the process: got %q", v)
	}
	if v, _ := e.Lookup("B"); v != "process" {
		t.Errorf("the process fills what --env does not: got %q", v)
	}
	if _, ok := e.Lookup("C"); ok {
		t.Error("a name nobody sets should be unset")
	}
	ws := Open("m.yaml", []byte("version: 1\nclaims: {}\ntests:\n  - name: t\n    env: { A: test, C: test }\n    event: { version: \"1\", userName: u }\n    expect: { idToken: {} }\n"), Options{Env: e})
	c := ws.Test("t")
	if c == nil {
		t.Fatal("the test should be read")
	}
	look := e.ForTest(c)
	if v, _ := look("A"); v != "test" {
		t.Errorf("a test's env: should come first for its own run: got %q", v)
	}
	if v, _ := look("B"); v != "process" {
		t.Errorf("a test should fall back to the process: got %q", v)
	}
	fill := e.OrTests(ws.Tests())
	if v, _ := fill("A"); v != "flag" {
		t.Errorf("outside a test, the tests' env: should not override --env: got %q", v)
	}
	if v, _ := fill("C"); v != "test" {
		t.Errorf("the tests' env: should fill what nothing else sets: got %q", v)
	}
}

func TestTheSeedMappingsTestsPassAndLintIsClean(t *testing.T) {
	t.Parallel()
	file, src := seed(t)
	ws := Open(file, src, Options{Env: Env{Process: env(config.EnvAllowVar, "TABLE_NAME")}})
	if n := refusing(ws.Lint(), false); n != 0 {
		t.Fatalf("the seed mapping should lint clean, got %d refusing findings: %v", n, ws.Lint())
	}
	fo := ws.RunTests(context.Background(), nil)
	if len(fo.Outcomes) != len(ws.Tests()) || len(fo.Outcomes) == 0 {
		t.Fatalf("every test should run: ran %d of %d", len(fo.Outcomes), len(ws.Tests()))
	}
	for _, o := range fo.Outcomes {
		if !o.Passed() {
			t.Errorf("%s: %+v", o.Case.Name, o)
		}
	}
	only := ws.RunTests(context.Background(), func(name string) bool { return strings.HasPrefix(name, "ben") })
	if len(only.Outcomes) != 1 {
		t.Errorf("a filter should pick the tests it names: ran %d", len(only.Outcomes))
	}
}

func TestAMapperNeedsItsVariables(t *testing.T) {
	t.Parallel()
	file, src := seed(t)
	allow := env(config.EnvAllowVar, "TABLE_NAME")
	if _, err := Open(file, src, Options{Env: Env{Process: allow}}).Mapper(nil, nil); err == nil {
		t.Error("without TABLE_NAME the mapping should not load")
	}
	if _, err := Open(file, src, Options{Env: Env{Process: allow}, TestsFillEnv: true}).Mapper(nil, nil); err != nil {
		t.Errorf("the tests' env: should give TABLE_NAME: %v", err)
	}
	if _, err := Open(file, src, Options{Env: Env{Flags: map[string]string{"TABLE_NAME": "T"}, Process: env()}}).Mapper(nil, nil); err == nil {
		t.Error("--env gives values, never permission: without CLAIMS_MAPPING_ENV the mapping should not load")
	}
}

func TestCompareSaysWhoAChangeAffects(t *testing.T) {
	t.Parallel()
	file, src := seed(t)
	e := Env{Flags: map[string]string{"TABLE_NAME": "SampleUsers"}, Process: env(config.EnvAllowVar, "TABLE_NAME")}
	before := Open(file, src, Options{Env: e})
	after := Open(file, []byte(strings.Replace(string(src), "lastName: user.LastName", "lastName: upper(user.LastName)", 1)), Options{Env: e})
	dataSrc, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed", "users.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := localdata.Parse("users.yaml", dataSrc)
	if err != nil {
		t.Fatal(err)
	}
	names := DataUsers(after.Mapping(), data)
	if len(names) == 0 {
		t.Fatal("the seed data should list users")
	}
	cmp := Comparison{Users: Users{Names: names}, OpenStore: func(context.Context) (mapper.Store, error) { return data, nil }}
	rep, err := Compare(context.Background(), before, after, cmp)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Users != len(names) || rep.Changed == 0 {
		t.Errorf("every user should be compared and the change seen: %d users, %d changed", rep.Users, rep.Changed)
	}
	broken := Open(file, []byte("version: 1\nclaims: { x: nosuch.y }\n"), Options{Env: e})
	var old *OldLoadError
	if _, err := Compare(context.Background(), broken, after, cmp); !errors.As(err, &old) {
		t.Errorf("an old mapping that does not load should say so: %v", err)
	}
	var nw *NewLoadError
	if _, err := Compare(context.Background(), before, broken, cmp); !errors.As(err, &nw) {
		t.Errorf("a new mapping that does not load should say so: %v", err)
	}
}

func TestTheGateStopsAtTheFirstRefusal(t *testing.T) {
	t.Parallel()
	file, src := seed(t)
	e := Env{Process: env(config.EnvAllowVar, "TABLE_NAME")}
	ctx := context.Background()
	r := Open(file, []byte("version: 1\nclaims: { x: nosuch.y }\n"), Options{Env: e}).Gate(ctx, GateOptions{})
	if r.Stopped != StepLint || r.Refused == 0 {
		t.Errorf("lint errors should stop the gate at lint: %+v", r)
	}
	failing := strings.Replace(string(src), "{ firstName: Ben, lastName: Pyle }", "{ firstName: Bob, lastName: Pyle }", 1)
	r = Open(file, []byte(failing), Options{Env: e}).Gate(ctx, GateOptions{})
	if r.Stopped != StepTests || r.Failed != 1 {
		t.Errorf("a failing test should stop the gate at the tests: %+v", r)
	}
	r = Open(file, src, Options{Env: e}).Gate(ctx, GateOptions{Strict: true})
	if r.Stopped != StepPassed || len(r.Tests.Outcomes) != len(Open(file, src, Options{}).Tests()) {
		t.Errorf("the seed mapping should pass the gate, every test run: %+v", r)
	}
}

func TestAReviewGoesOnWhenThePreviousVersionIsBroken(t *testing.T) {
	t.Parallel()
	file, src := seed(t)
	e := Env{Flags: map[string]string{"TABLE_NAME": "SampleUsers"}, Process: env(config.EnvAllowVar, "TABLE_NAME")}
	ctx := context.Background()
	broken := Open("s3://b/k", []byte("version: 1\ntriggerVersion: V1_0\nclaims: { x: nosuch.y }\n"), Options{Env: e})
	next := Open(file, []byte(strings.Replace(string(src), "version: 1\n", "version: 1\ntriggerVersion: V2_0\n", 1)), Options{Env: e})
	r, err := next.Review(ctx, broken, ReviewOptions{Compare: &Comparison{Users: Users{Names: []string{"ben"}}}, AllowVersionChange: true})
	if err != nil || r.PreviousBroken == nil || r.Changes != nil {
		t.Errorf("a previous version that does not load should not stop a fix: %+v, %v", r, err)
	}
	if !r.VersionChanged || r.VersionChange.From != "V1_0" || r.VersionChange.To != "V2_0" {
		t.Errorf("the triggerVersion change should be seen: %+v", r)
	}
	r, err = next.Review(ctx, broken, ReviewOptions{Compare: &Comparison{Users: Users{UsersFile: "no such file"}}})
	if err != nil || !r.VersionChanged || r.Changes != nil || r.PreviousBroken != nil {
		t.Errorf("a refused triggerVersion change should stop the review before any comparison: %+v, %v", r, err)
	}
	r, err = next.Review(ctx, Open(file, src, Options{Env: e}), ReviewOptions{})
	if err != nil || r.Changes != nil || r.PreviousBroken != nil {
		t.Errorf("without users nothing is compared: %+v, %v", r, err)
	}
}

func TestFirstTestEnvBorrowsOnlyWhenNothingElseIsSet(t *testing.T) {
	t.Parallel()
	mapping := []byte(`version: 1
sources:
  user: { table: "${TABLE}", key: { id: event.userName } }
claims:
  a: user.A
tests:
  - name: no env
    event: e.json
    expect: {}
  - name: first with env
    env: { TABLE: FromTest, OTHER: x }
    event: e.json
    expect: {}
  - name: second
    env: { TABLE: Later }
    event: e.json
    expect: {}
`)
	none := env(config.EnvAllowVar, "TABLE")
	process := env(config.EnvAllowVar, "TABLE", "TABLE", "FromProcess")
	tests := []struct {
		name    string
		flags   map[string]string
		process func(string) (string, bool)
		src     []byte
		want    string
		note    string
	}{
		{"nothing set: the first test with env: gives it", nil, none, mapping, "FromTest", `using TABLE=FromTest from the env: of the test "first with env" (line 10)`},
		{"--env wins", map[string]string{"TABLE": "FromFlag"}, none, mapping, "FromFlag", ""},
		{"the environment wins", nil, process, mapping, "FromProcess", ""},
		{"no tests: nothing to borrow", nil, none, []byte("version: 1\nsources:\n  u: { table: \"${TABLE}\", key: { id: event.userName } }\nclaims:\n  a: u.A\n"), "", ""},
		{"not YAML: nothing to borrow", nil, none, []byte("{"), "", ""},
	}
	t.Run("without the option, DynamoDB is not given a test's table", func(t *testing.T) {
		t.Parallel()
		if note := Open("m.yaml", mapping, Options{Env: Env{Process: none}}).EnvNote(); note != "" {
			t.Errorf("note %q, want none", note)
		}
	})
	t.Run("a variable the operator does not allow is not borrowed", func(t *testing.T) {
		t.Parallel()
		ws := Open("m.yaml", mapping, Options{Env: Env{Process: env()}, FirstTestEnv: true})
		if got, _ := ws.Lookup()("TABLE"); got != "" || ws.EnvNote() != "" {
			t.Errorf("TABLE = %q, note %q; want nothing borrowed", got, ws.EnvNote())
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws := Open("m.yaml", tt.src, Options{Env: Env{Flags: tt.flags, Process: tt.process}, FirstTestEnv: true})
			note := ws.EnvNote()
			got, _ := ws.Lookup()("TABLE")
			if got != tt.want || !strings.Contains(note, tt.note) || (tt.note == "" && note != "") {
				t.Errorf("TABLE = %q, note %q; want %q, note %q", got, note, tt.want, tt.note)
			}
		})
	}
}

func TestLintAndTestRunsTheTestsOnlyOfAMappingThatLoads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	broken := Open("m.yaml", []byte("version: 1\nclaims:\n  x: usr.y\ntests:\n  - name: t\n    event: e.json\n    expect: {}\n"), Options{})
	fo, warnings, err := broken.LintAndTest(ctx, nil)
	var ce *config.Error
	if !errors.As(err, &ce) || len(fo.Outcomes) != 0 || warnings != nil || fo.File != "m.yaml" {
		t.Errorf("a mapping with errors: outcomes %d, warnings %v, err %v", len(fo.Outcomes), warnings, err)
	}
	file, src := seed(t)
	allowed := Options{Env: Env{Process: env(config.EnvAllowVar, "TABLE_NAME")}}
	fo, warnings, err = Open(file, src, allowed).LintAndTest(ctx, func(name string) bool { return strings.HasPrefix(name, "ben") })
	if err != nil || len(warnings) != 0 || len(fo.Outcomes) != 1 || !fo.Outcomes[0].Passed() {
		t.Errorf("the seed: outcomes %+v, warnings %v, err %v", fo.Outcomes, warnings, err)
	}
	// A misspelled attribute passes a test that expects its claim absent:
	// it is the warning that goes with the verdict.
	misspelt := strings.Replace(string(src), "user.LastName", "user.LastNmae", 1)
	_, warnings, err = Open(file, []byte(misspelt), allowed).LintAndTest(ctx, nil)
	if err != nil || len(warnings) != 1 || warnings[0].Rule != "unknown-attribute" {
		t.Errorf("a misspelled attribute: warnings %v, err %v", warnings, err)
	}
}

func TestVerdictSaysAnUnsetNameOnceAndPoliciesOnlyOfAMappingNotRefused(t *testing.T) {
	t.Parallel()
	src := []byte("version: 1\nsources:\n  user:\n    table: ${T}\n    key:\n      userName: event.userName\nclaims:\n  firstName: user.FirstName\n")
	// T may be read but is not set: a warning, said for the first mapping
	// only.
	opts := Options{Env: Env{Process: env(config.EnvAllowVar, "T")}}
	unset := map[string]bool{}
	first := Open("a.yaml", src, opts).Verdict(false, unset)
	second := Open("b.yaml", src, opts).Verdict(false, unset)
	has := func(v Verdict, rule string) bool {
		for _, f := range v.Findings {
			if f.Rule == rule {
				return true
			}
		}
		return false
	}
	if !has(first, "env-unset") || has(second, "env-unset") {
		t.Errorf("env-unset: first %v, second %v", first.Findings, second.Findings)
	}
	if first.Refused || first.Tests != 0 || first.Policies == "" {
		t.Errorf("first: %+v", first)
	}
	if strict := Open("a.yaml", src, opts).Verdict(true, map[string]bool{}); !strict.Refused || strict.Policies != "" {
		t.Errorf("with strict, the warning refuses: %+v", strict)
	}
	file, seedSrc := seed(t)
	ws := Open(file, seedSrc, opts)
	if v := ws.Verdict(false, map[string]bool{}); v.Tests != len(ws.Tests()) || v.Tests == 0 {
		t.Errorf("the seed's tests: %d of %d", v.Tests, len(ws.Tests()))
	}
}
