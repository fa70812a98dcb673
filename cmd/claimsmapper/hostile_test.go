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
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				cmd := childCommand(ctx, "run", "--mapping", mapping, "--event", "../../testdata/events/v2.json")
				// RLIMIT_DATA, not RLIMIT_AS: Go reserves far more address
				// space than it uses, but what its heap uses counts here.
				cmd.Env = append(cmd.Env, "CLAIMSMAPPER_TEST_RLIMIT_DATA=536870912")
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				if errors.Is(ctx.Err(), context.DeadlineExceeded) {
					t.Fatalf("still running at the 5 s deadline; stderr:\n%.2000s", stderr.String())
				}
				code := exitCode(t, err)
				if policy == "omit" {
					var out struct {
						Response struct {
							ClaimsAndScopeOverrideDetails struct {
								IDTokenGeneration struct {
									ClaimsToAddOrOverride map[string]any
								}
							}
						}
					}
					json.Unmarshal(stdout.Bytes(), &out)
					claims := out.Response.ClaimsAndScopeOverrideDetails.IDTokenGeneration.ClaimsToAddOrOverride
					if code != exitOK || claims["ok"] != "fine" || claims["bad"] != nil {
						t.Fatalf("exit %d, claims %v; want exit 0 and the token without the claim; stderr:\n%.2000s", code, claims, stderr.String())
					}
					// The limit is logged by name, or time ran out first on a busy machine.
					if !strings.Contains(stderr.String(), "limit="+limit) && !strings.Contains(stderr.String(), "limit=time") {
						t.Errorf("stderr does not name the limit %q:\n%.2000s", limit, stderr.String())
					}
					return
				}
				if code != exitFailed || !strings.Contains(stderr.String(), "the event failed") {
					t.Fatalf("exit %d; want 1 and the event failed; stderr:\n%.2000s", code, stderr.String())
				}
			})
		}
	}
	if n < 15 {
		t.Fatalf("only %d hostile expressions", n)
	}
}
