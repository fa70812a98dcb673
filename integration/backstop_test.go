package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// backstopMapping runs away for the user named "spin" (time: billions of
// steps) and "hog" (memory: gigabytes kept), and answers everyone else at
// once. The function is built without the cost model
// (BuildBootstrapWithoutCostModel), so nothing but the backstop stops it.
const backstopMapping = `version: 1
timeout: 1s
claims:
  a: '"fine"'
  spin: 'event.userName == "spin" ? (let r = 1..50000; sum(r, count(r, # > len(event.userName)))) : "ok"'
  hog: 'event.userName == "hog" ? (let s = repeat(event.userName, 200000); let t = s + s + s + s + s; len(map(1..100000, t + string(#)))) : "ok"'
`

// TestBackstopUnderTheEmulator: with AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128, a
// mapping whose evaluation runs away answers within the function's deadline
// (the emulator would fail the invocation past it), logs which limit
// tripped, and the process ends once the answer is delivered: the next
// ordinary sign-in is answered by a new process.
func TestBackstopUnderTheEmulator(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrapWithoutCostModel(t, t.TempDir())
	event := string(readFile(t, "../testdata/seed/event.json"))
	as := func(user string) []byte { return []byte(strings.Replace(event, `"benbpyle"`, `"`+user+`"`, 1)) }
	// The claims before the runaway one are in the answer; it and those
	// after it are left out (onClaimError: omit).
	for _, tt := range []struct{ user, limit, claims string }{{"spin", "time", "map[a:fine]"}, {"hog", "memory", "map[a:fine spin:ok]"}} {
		t.Run(tt.limit, func(t *testing.T) {
			fn := testenv.StartFunction(t, bootstrap, functionEnv("http://127.0.0.1:9", backstopMapping,
				"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128", "AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))
			inv := fn.Invoke(t, "runaway-"+tt.limit, as(tt.user))
			if inv.Status != 200 || inv.FunctionError != "" {
				t.Fatalf("status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, fn.Output())
			}
			claims := dig(decode(t, inv.Body), "response", "claimsOverrideDetails", "claimsToAddOrOverride")
			if fmt.Sprint(claims) != tt.claims {
				t.Errorf("claims %v, want the finished ones only, %s", claims, tt.claims)
			}
			logs := fn.WaitOutput("process restarting", 5*time.Second)
			line := fmt.Sprintf(`"msg":"evaluation stopped by the backstop","limit":%q,"rule":"claims.%s"`, tt.limit, tt.user)
			if !strings.Contains(logs, line) || !strings.Contains(logs, `"requestId":"runaway-`+tt.limit+`"`) {
				t.Errorf("no line %s with the request id:\n%s", line, logs)
			}
			if !strings.Contains(logs, "process restarting") {
				t.Errorf("the process did not say it restarts:\n%s", logs)
			}

			inv = fn.Invoke(t, "after-"+tt.limit, as("benbpyle"))
			if inv.Status != 200 || inv.FunctionError != "" {
				t.Fatalf("the sign-in after: status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, fn.Output())
			}
			claims = dig(decode(t, inv.Body), "response", "claimsOverrideDetails", "claimsToAddOrOverride")
			if fmt.Sprint(claims) != "map[a:fine hog:ok spin:ok]" {
				t.Errorf("the sign-in after got claims %v, want every claim", claims)
			}
			if n := strings.Count(fn.Output(), `"msg":"mapping loaded"`); n != 2 {
				t.Errorf("the mapping was loaded %d times, want twice: the runaway's process ended and a new one answered\n%s", n, fn.Output())
			}
		})
	}
}
