package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/cli"
)

// TestHostileExpressionsUnderAMemoryLimit runs every expression of
// testdata/hostile/expressions.txt through `claimsmapper run` in a child
// process limited to 512 MB of memory, against a Lambda-like 5 s
// deadline: each ends before it, alive, with the token issued without the
// claim (onClaimError: omit) or the event failed (fail), on the limit named.
// Without the evaluation budget several of them die of a fatal out-of-memory
// error, which no recover can catch, or run far past the deadline.
func TestHostileExpressionsUnderAMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	src, err := os.ReadFile("../../testdata/hostile/expressions.txt")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(src), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		limit, name, expr := f[0], f[1], f[2]
		for _, policy := range []string{"omit", "fail"} {
			t.Run(name+" under "+policy, func(t *testing.T) {
				t.Parallel()
				mapping := filepath.Join(t.TempDir(), "mapping.yaml")
				writeFile(t, mapping, fmt.Sprintf("version: 1\nonClaimError: %s\nclaims:\n  ok: '\"fine\"'\n  bad: '%s'\n", policy, strings.ReplaceAll(expr, "'", "''")))
				stdout, stderr, code := runLimited(t, mapping)
				if policy == "omit" {
					claims := idClaims(stdout.Bytes())
					if code != cli.ExitOK || claims["ok"] != "fine" || claims["bad"] != nil {
						t.Fatalf("exit %d, claims %v; want exit 0 and the token without the claim; stderr:\n%.2000s", code, claims, stderr.String())
					}
					// The limit is logged by name, or time ran out first on a busy machine.
					if !strings.Contains(stderr.String(), "limit="+limit) && !strings.Contains(stderr.String(), "limit=time") {
						t.Errorf("stderr does not name the limit %q:\n%.2000s", limit, stderr.String())
					}
					return
				}
				if code != cli.ExitFailed || !strings.Contains(stderr.String(), "the event failed") {
					t.Fatalf("exit %d; want 1 and the event failed; stderr:\n%.2000s", code, stderr.String())
				}
			})
		}
	}
	if n < 15 {
		t.Fatalf("only %d hostile expressions", n)
	}
}

// hostileClasses are the classes of issue 20, each in variants of its own:
// lint-clean mappings that, before the cost model, ran for tens of seconds
// or killed the process. Each claim named bad* must be left out, and the
// cheap claims after them, which the test adds, must come out.
func hostileClasses() []struct{ class, name, claims string } {
	zones := []string{"Europe/Paris", "Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "America/New_York",
		"America/Chicago", "America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Tokyo", "Asia/Seoul",
		"Asia/Shanghai", "Asia/Kolkata", "Asia/Dubai", "Africa/Cairo", "Africa/Lagos", "Australia/Sydney", "Pacific/Auckland", "UTC"}
	var tz []string
	for i := range 100 {
		tz = append(tz, fmt.Sprintf("timezone(%q)", zones[i%len(zones)]))
	}
	quoted := make([]string, len(zones))
	for i, z := range zones {
		quoted[i] = fmt.Sprintf("%q", z)
	}
	repeated := func(term, op string, n int) string {
		return strings.TrimSuffix(strings.Repeat(term+" "+op+" ", n), " "+op+" ")
	}
	five := func(format string) string {
		out := ""
		for i := range 5 {
			out += fmt.Sprintf("  bad%d: '%s'\n", i, format)
		}
		return out
	}
	return []struct{ class, name, claims string }{
		{"quoted pattern", "four bounded repeats over a long text",
			"  bad: 'repeat(\"a\", 200000) matches \"[ab][a-z]{0,1000}[a-z]{0,1000}[a-z]{0,1000}[a-z]{0,1000}c\"'\n"},
		{"quoted pattern", "a class and a 20,000-character literal",
			"  bad: 'repeat(\"a\", 200000) matches \"[ab]" + strings.Repeat("x", 20000) + "\"'\n"},
		{"quoted pattern", "alternations in a loop",
			"  bad: 'any(0..200, event.userName + repeat(\"ab\", 2000) matches \"(a|b)*[ab]{0,500}c\")'\n"},
		{"quoted pattern", "a negated match in five claims",
			five(`not (repeat("ab", 100000) matches "^(ab|ba){0,500}[a-z]{0,1000}x")`)},
		{"outside loops", "in 400 times over a 200k list, in five claims",
			five(`let L = split(repeat("a,", 200000), ","); (` + repeated(`"b" in L`, "||", 400) + `) ? 1 : int("x")`)},
		{"outside loops", "contains with a long needle 300 times",
			five(`let s = repeat("a", 1000000); let t = repeat("a", 1000) + "b"; ` + repeated("s contains t", "||", 300))},
		{"outside loops", "== on two computed megabyte texts 400 times",
			five(`let s = repeat("a", 1000000); let t = repeat("a", 999999) + "a"; ` + repeated("s == t", "&&", 400))},
		{"outside loops", "indexOf 300 times",
			five(`let s = repeat("a", 1000000); let t = repeat("a", 60) + "b"; ` + repeated("indexOf(s, t)", "+", 300))},
		{"timezone", "a hundred zones at every step of a loop",
			fmt.Sprintf("  bad: 'len(map(0..1999, [%s]))'\n", strings.Join(tz, ", "))},
		{"timezone", "date with a zone at every step",
			"  bad: 'len(map(0..99999, date(\"2024-01-02\", \"2006-01-02\", \"Europe/Paris\")))'\n"},
		{"timezone", "a loop over zones in a loop",
			fmt.Sprintf("  bad: 'count(0..1999, all([%s], timezone(#) != nil))'\n", strings.Join(quoted, ", "))},
		{"starvation", "one reduce before a claim that needs nothing",
			"  bad: 'len(reduce(1..400000, #acc + \"xy\", \"\"))'\n"},
		{"starvation", "six claims each over their share",
			strings.ReplaceAll(five(`count(0..400000, # >= 0)`), "bad0", "bad5") + "  bad0: 'count(0..400000, # >= 0)'\n"},
		{"starvation", "a heavy condition",
			"  bad:\n    value: '\"v\"'\n    when: 'count(0..400000, # >= 0 && # in [1, 2, 3]) > 0'\n"},
	}
}

// TestHostileClassesUnderAMemoryLimit runs each of hostileClasses through
// `claimsmapper run` in a child process limited to 512 MB, against a 5 s
// deadline: each ends in time, alive, with the cheap claims in the token
// and the hostile ones left out.
func TestHostileClassesUnderAMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	counts := map[string]int{}
	for _, c := range hostileClasses() {
		counts[c.class]++
		t.Run(c.class+": "+c.name, func(t *testing.T) {
			t.Parallel()
			mapping := filepath.Join(t.TempDir(), "mapping.yaml")
			writeFile(t, mapping, "version: 1\ntimeout: 4s\nclaims:\n"+c.claims+"  okName: event.userName\n  okUpper: 'upper(event.userName) + \"!\"'\n")
			stdout, stderr, code := runLimited(t, mapping)
			claims := idClaims(stdout.Bytes())
			if code != cli.ExitOK || claims["okName"] != "jdoe" || claims["okUpper"] != "JDOE!" {
				t.Fatalf("exit %d, claims %v; want exit 0 and the cheap claims; stderr:\n%.2000s", code, claims, stderr.String())
			}
			for name := range claims {
				if strings.HasPrefix(name, "bad") {
					t.Errorf("the hostile claim %s came out: %v", name, claims)
				}
			}
		})
	}
	for class, n := range counts {
		if n < 3 {
			t.Errorf("class %q has %d variants, want at least 3", class, n)
		}
	}
}

// TestHostileLoadingUnderAMemoryLimit: mappings of about 1 MiB built to
// cost the YAML library or expr's parser as much as they can (issue 20's
// fourth class) are refused by `claimsmapper run` with a finding, in a
// child process limited to 512 MB, inside 5 s: exit 1 and a message, never
// a fatal error. (mapper/hostile_load_test.go measures each in process.)
func TestHostileLoadingUnderAMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	const size = 1<<20 - 2048
	nest := func(open, close, inner string, n int) string {
		return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
	}
	for _, c := range []struct{ name, src string }{
		{"520,000 nested parentheses", "version: 1\nclaims:\n  x: '" + nest("(", ")", "1", (size-40)/2) + "'\n"},
		{"nested lists inside an expression", "version: 1\nclaims:\n  x: '" + nest("[", "]", "1", (size-40)/2) + "'\n"},
		{"a chain of 300,000 negations", "version: 1\nclaims:\n  x: '" + strings.Repeat("-", 300_000) + "1'\n"},
		{"nested YAML objects", "version: 1\nclaims: " + nest("{a: ", "}", "1", (size-40)/5) + "\n"},
		{"one addition of half a million terms", "version: 1\nclaims:\n  x: " + strings.Repeat("1+", (size-40)/2) + "1\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mapping := filepath.Join(t.TempDir(), "mapping.yaml")
			writeFile(t, mapping, c.src)
			_, stderr, code := runLimited(t, mapping)
			if code != cli.ExitFailed || strings.Contains(stderr.String(), "fatal error") || !strings.Contains(stderr.String(), "mapping.yaml:") {
				t.Fatalf("exit %d; want 1 and a finding with its position; stderr:\n%.2000s", code, stderr.String())
			}
		})
	}
}

// idClaims are the ID token's claims in a V2 response `run` printed; none
// when it printed no response.
func idClaims(stdout []byte) map[string]any {
	var out struct {
		Response struct {
			ClaimsAndScopeOverrideDetails struct {
				IDTokenGeneration struct {
					ClaimsToAddOrOverride map[string]any
				}
			}
		}
	}
	json.Unmarshal(stdout, &out)
	return out.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride
}

// runLimited runs `claimsmapper run` on mapping and the v2 event in a child
// process limited to 512 MB of data, as a small Lambda function is, and
// fails the test if it is still running at Cognito's 5 s deadline.
func runLimited(t *testing.T, mapping string) (stdout, stderr *bytes.Buffer, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := childCommand(ctx, "run", "--mapping", mapping, "--event", "../../testdata/events/v2.json")
	// RLIMIT_DATA, not RLIMIT_AS: Go reserves far more address space than
	// it uses, but what its heap uses counts here.
	cmd.Env = append(cmd.Env, "CLAIMSMAPPER_TEST_RLIMIT_DATA=536870912")
	stdout, stderr = &bytes.Buffer{}, &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("still running at the 5 s deadline; stderr:\n%.2000s", stderr.String())
	}
	return stdout, stderr, exitCode(t, err)
}
