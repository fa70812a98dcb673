package studio

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/loadcount"
)

// tenTests is the seed mapping with ten inline tests, each with its own
// env: and data:, as an author's mapping grows them.
func tenTests() string { return withTests(10) }

// withTests is the seed mapping with n inline tests.
func withTests(n int) string {
	var b strings.Builder
	b.WriteString(`version: 1
sources:
  user:
    table: ${TABLE_NAME}
    key:
      userName: event.userName
claims:
  firstName: user.FirstName
  lastName: user.LastName
  plan: { const: "plan-${TABLE_NAME}" }
tests:
`)
	for i := range n {
		fmt.Fprintf(&b, `  - name: user %d gets a first name
    env: { TABLE_NAME: Users%d }
    event: event.json
    data:
      tables:
        Users%d:
          - { userName: benbpyle, FirstName: Ben%d, LastName: Pyle }
    expect:
      idToken: { firstName: Ben%d, lastName: Pyle, plan: plan-Users%d }
`, i, i, i, i, i, i)
	}
	return b.String()
}

// An edit in the studio (its evaluate request: lint, the tests' data, the
// tokens, the explanation) parses the mapping's YAML once and compiles it
// once, whatever the number of tests: the tests: section is read from that
// parse, and each test's env: binds the one compile. loadcount counts every
// YAML parse of a mapping's text, the tests' included. Not parallel: the
// counts are the process's.
func TestEvaluateParsesAndCompilesOnce(t *testing.T) {
	s, _ := seed(t)
	for _, n := range []int{1, 10, 30} {
		src := withTests(n)
		p0, c0 := loadcount.Counts()
		resp := s.evaluate(context.Background(), evalRequest{Source: src, User: userRef{kindTest, "user 0 gets a first name"}})
		p1, c1 := loadcount.Counts()
		if resp.Errors > 0 || resp.Problem != "" || len(resp.Tests) != n {
			t.Fatalf("the mapping with %d tests should load and list them: %+v", n, resp)
		}
		if got := fmt.Sprint(resp.Tokens); !strings.Contains(got, "Ben0") || !strings.Contains(got, "plan-Users0") {
			t.Errorf("test 0's tokens should come from its own env: and data, got %s", got)
		}
		if p1-p0 != 1 || c1-c0 != 1 {
			t.Errorf("one evaluate request with %d tests parsed the YAML %d times and compiled it %d times, want once each", n, p1-p0, c1-c0)
		}
	}
	// Text that does not load is parsed once too, and not compiled: a
	// second document or a list where the mapping should be says all there
	// is to say the first time. (Text whose YAML stops is read again, its
	// indentation repaired, to find the mistakes after the first.)
	for name, src := range map[string]string{"a second document": withTests(10) + "---\nversion: 1\n", "a list": "- version: 1\n"} {
		p0, c0 := loadcount.Counts()
		resp := s.evaluate(context.Background(), evalRequest{Source: src, User: userRef{kindTest, "user 0 gets a first name"}})
		p1, c1 := loadcount.Counts()
		if resp.Errors == 0 {
			t.Fatalf("the text with %s should not load: %+v", name, resp)
		}
		if p1-p0 != 1 || c1-c0 != 0 {
			t.Errorf("an evaluate request for the text with %s parsed it %d times and compiled it %d times, want once and never", name, p1-p0, c1-c0)
		}
	}
	// And the tests themselves, each under its own env:, pass on that one
	// parse and compile (a test that parsed or compiled for itself would
	// show in the counts).
	src := []byte(tenTests())
	p0, c0 := loadcount.Counts()
	fo := s.open(src).RunTests(context.Background(), nil)
	p1, c1 := loadcount.Counts()
	for _, o := range fo.Outcomes {
		if !o.Passed() {
			t.Errorf("%s: %s %+v", o.Case.Name, o.Problem, o.Diffs)
		}
	}
	if len(fo.Outcomes) != 10 || p1-p0 != 1 || c1-c0 != 1 {
		t.Errorf("opening the mapping and running its %d tests parsed the YAML %d times and compiled it %d times, want 10 tests on one parse and one compile", len(fo.Outcomes), p1-p0, c1-c0)
	}
}

// BenchmarkEvaluateTenTests is the studio's work on every keystroke for a
// mapping with ten inline tests.
func BenchmarkEvaluateTenTests(b *testing.B) {
	s, _ := seed(b)
	req := evalRequest{Source: tenTests(), User: userRef{kindTest, "user 3 gets a first name"}}
	p0, c0 := loadcount.Counts()
	n := 0
	for b.Loop() {
		if resp := s.evaluate(context.Background(), req); resp.Errors > 0 {
			b.Fatal(resp.Findings)
		}
		n++
	}
	p1, c1 := loadcount.Counts()
	b.ReportMetric(float64(p1-p0)/float64(n), "parses/op")
	b.ReportMetric(float64(c1-c0)/float64(n), "compiles/op")
}
