package studio

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The studio runs what anyone pastes into it, in the server's own process:
// every hostile expression the function's tests hold (the same file the
// CLI's child-process table reads) must be stopped by the same budgets as
// in the function, and the server answer each request with the claim left
// out and the limit named. A hang here would hold the test to its own
// deadline; a blown-up heap would end the test process.
func TestHostileMappingsPastedIntoTheStudio(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "..", "testdata", "hostile", "expressions.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s, _ := seed(t)
	n := 0
	for _, line := range strings.Split(string(src), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 || strings.HasPrefix(line, "#") {
			continue
		}
		n++
		limit, name, expr := f[0], f[1], f[2]
		t.Run(name, func(t *testing.T) {
			mapping := fmt.Sprintf("version: 1\nonClaimError: omit\nclaims:\n  ok: '\"fine\"'\n  bad: '%s'\n", strings.ReplaceAll(expr, "'", "''")) +
				"tests:\n  - name: the cheap claim comes out\n    event: event.json\n    expect:\n      idToken: { ok: fine }\n"
			code, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: mapping, User: userRef{kindName, "jdoe"}})
			if code != 200 || out["problem"] != nil {
				t.Fatalf("evaluate: %d %v", code, out["problem"])
			}
			id := claims(t, out, "ID token")
			if id["ok"]["value"] != "fine" || id["bad"] != nil {
				t.Errorf("the ID token has ok %v and bad %v; want the cheap claim only", id["ok"], id["bad"])
			}
			// The limit by name, or time ran out first on a busy machine.
			if log, _ := out["log"].(string); !strings.Contains(log, "rule=claims.bad limit="+limit) && !strings.Contains(log, "limit=time") {
				t.Errorf("the page's log does not name the limit %q:\n%.2000s", limit, log)
			}
			code, out = call(t, s, "POST", "/api/tests", sourceRequest{Source: mapping})
			if outcomes, _ := out["outcomes"].([]any); code != 200 || len(outcomes) != 1 || outcomes[0].(map[string]any)["passed"] != true {
				t.Errorf("tests: %d %v", code, out)
			}
			// Every sample event and data user, against the saved seed.
			code, out = call(t, s, "POST", "/api/changes", sourceRequest{Source: mapping})
			if text, _ := out["text"].(string); code != 200 || out["problem"] != nil || !strings.Contains(text, `+ claim ok: "fine"`) || strings.Contains(text, "claim bad") {
				t.Errorf("changes: %d %v", code, out)
			}
		})
	}
	if n < 15 {
		t.Fatalf("only %d hostile expressions", n)
	}
}
