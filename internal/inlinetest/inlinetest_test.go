package inlinetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

func load(t *testing.T, name string) *Suite {
	t.Helper()
	path := filepath.Join("testdata", name)
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, fs := Parse(path, src)
	if err := config.Errors(fs); err != nil {
		t.Fatalf("%s does not load:\n%v", name, err)
	}
	s.lookupEnv = testEnv
	return s
}

// testEnv is the tool's environment in these tests: the operator allows the
// variables the test mappings name, and sets none of them.
func testEnv(name string) (string, bool) {
	if name == config.EnvAllowVar {
		return "USERS_TABLE, UNSET_TABLE_FOR_TESTS", true
	}
	return "", false
}

func runAll(t *testing.T, s *Suite) map[string]Outcome {
	out := map[string]Outcome{}
	for _, c := range s.Cases {
		out[c.Name] = s.Run(context.Background(), c)
	}
	return out
}

func TestGoodTestsPass(t *testing.T) {
	t.Parallel()
	s := load(t, "good.yaml")
	if len(s.Cases) != 4 {
		t.Fatalf("got %d tests, want 4", len(s.Cases))
	}
	for name, o := range runAll(t, s) {
		if !o.Passed() {
			var b bytes.Buffer
			WriteText(&b, []FileOutcomes{{File: "good.yaml", Outcomes: []Outcome{o}}})
			t.Errorf("%q failed:\n%s", name, b.String())
		}
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	outcomes := runAll(t, load(t, "failing.yaml"))
	tests := []struct {
		name string
		// want are substrings of the failure text; none means the test passes.
		want []string
	}{
		{"expects the wrong name", []string{
			"idToken.firstName\n  - expected: \"Benjamin\"\n  + actual:   \"Ben\"",
			"idToken.nickname\n  - expected: \"benny\"\n  + actual:   (not in the token)",
			"groups\n  - expected: []\n  + actual:   [\"readers\"]",
		}},
		{"checks one claim, with the wrong value", []string{
			"idToken.firstName\n  - expected: \"Benjamin\"\n  + actual:   \"Ben\"\n",
		}},
		{"expects an error that does not happen", []string{"error\n  - expected: the event fails with \"could not load\"\n  + actual:   the event succeeded"}},
		{"a missing table fails the event", nil},
		{"a test without env cannot resolve a variable", []string{
			"the environment variable UNSET_TABLE_FOR_TESTS is not set",
			"give the test the variable in its env:",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := outcomes[tt.name]
			if !ok {
				t.Fatalf("no test named %q ran", tt.name)
			}
			if tt.want == nil {
				if !o.Passed() {
					t.Fatalf("want a pass, got:\n%s", failureText(o))
				}
				return
			}
			if o.Passed() {
				t.Fatal("want a failure, got a pass")
			}
			text := failureText(o)
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("failure text lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestBadTestsAreReportedWithPositions(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/badtests.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, fs := Parse("testdata/badtests.yaml", src)
	var got []string
	for _, f := range fs {
		got = append(got, f.String())
	}
	want := []string{
		`testdata/badtests.yaml:5:5: tests["first"]: this test has no event; add "event:" with the path of an event file or the event itself`,
		`testdata/badtests.yaml:6:5: tests["first"].evnt: unknown key "evnt" in tests["first"] (did you mean "event"?); allowed keys: name, event, data, env, expect`,
		`testdata/badtests.yaml:8:5: tests[line 8]: this test has no name; add "name:" with a few words saying what it checks`,
		`testdata/badtests.yaml:8:12: tests[line 8].event: cannot read the event file "missing.json": there is no such file; the path is relative to the mapping file`,
		`testdata/badtests.yaml:10:16: tests[line 8].expect.idToken: tests[line 8].expect.idToken should be a set of "name: value" lines, not a list`,
		`testdata/badtests.yaml:11:7: tests[line 8].expect.error: a test that expects an error checks nothing else, since a failed event adds no claims; move the other expectations to another test`,
		`testdata/badtests.yaml:16:16: tests["first"].data.tables.Users: table "Users" should be a list of items, each starting with "- ", not a set of key: value lines`,
		`testdata/badtests.yaml:17:15: tests["first"].env.A: the value of A should be text, not a list`,
		`testdata/badtests.yaml:19:15: tests["first"].expect.groups: groups should be a list such as [a, b] (or [] for none), not the text "admin"`,
		`testdata/badtests.yaml:20:5: tests[line 20]: tests[line 20] should be a set of "key: value" lines, not the text "just text"`,
		`testdata/badtests.yaml:25:7: tests["checks the ID token twice"].expect.idTokenIncludes: idToken: checks every claim of the token and idTokenIncludes: only the ones it names; use one of them (move these claims into idToken:)`,
		`testdata/badtests.yaml:29:33: tests["a claim that is not a plain name"].expect.idToken["custom:tier"]: the tag !!python/x is not one this file understands; remove it, or quote the value for text`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, f := range fs {
		if !strings.HasPrefix(f.Rule, "tests-") {
			t.Errorf("rule %q of %q should start with tests-", f.Rule, f.Message)
		}
	}
}

func TestAMappingWithoutTestsHasNoTestFindings(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"version: 1\nclaims:\n  plan: { const: free }\n", "not: [yaml", "- a list\n", ""} {
		if s, got := Parse("m.yaml", []byte(src)); len(got) != 0 || len(s.Cases) != 0 {
			t.Errorf("%q: want no tests and no findings, got %v", src, got)
		}
	}
}

func TestJUnitMarksFailures(t *testing.T) {
	t.Parallel()
	s := load(t, "failing.yaml")
	var outs []Outcome
	for _, c := range s.Cases {
		outs = append(outs, s.Run(context.Background(), c))
	}
	var b bytes.Buffer
	passed, failed, err := WriteJUnit(&b, []FileOutcomes{{File: "failing.yaml", Outcomes: outs}})
	if err != nil {
		t.Fatal(err)
	}
	if passed != 1 || failed != 4 {
		t.Errorf("passed %d, failed %d; want 1 and 4", passed, failed)
	}
	for _, w := range []string{`<testsuite name="failing.yaml" tests="5" failures="4">`, `<testcase name="a missing table fails the event" classname="failing.yaml"></testcase>`, `<failure message="failing.yaml:`} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("JUnit output lacks %q:\n%s", w, b.String())
		}
	}
}

// A data file a test names but that is not there is said in plain words,
// as a missing event file is, without the system's "open ...: no such
// file or directory".
func TestAMissingDataFileIsSaidPlainly(t *testing.T) {
	t.Parallel()
	src := "version: 1\ntests:\n  - name: t\n    event: v1.json\n    data: missing.yaml\n    expect: { idToken: {} }\n"
	_, fs := Parse("testdata/mapping.yaml", []byte(src))
	want := `testdata/mapping.yaml:5:11: tests["t"].data: cannot use the data file "missing.yaml": there is no such file; the path is relative to the mapping file`
	if len(fs) != 1 || fs[0].String() != want {
		t.Errorf("findings = %v\nwant %s", fs, want)
	}
}

func TestAClaimMatchesOnlyTheSameJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		want, got any
		diff      bool
	}{
		{"a number does not match the text a V1 token holds", int64(42), "42", true},
		{"text matches the same text", "42", "42", false},
		{"true does not match the text true", true, "true", true},
		{"1 and 1.0 are one number", 1, float64(1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := claims("idToken", map[string]any{"x": tt.want}, map[string]any{"x": tt.got})
			if (len(d) > 0) != tt.diff {
				t.Errorf("claims(%#v, %#v) = %v, want a difference: %v", tt.want, tt.got, d, tt.diff)
			}
		})
	}
}
