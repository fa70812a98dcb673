package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestExpensiveExpressionAnswersInTime runs a mapping whose expression would
// take far longer than Cognito's 5 s under the emulator with a 5 s function
// timeout: the cost model charges its comparisons before they run, so the
// function answers inside 4.5 s, without the claim (omit) or with the
// public error (fail), and says which limit it hit (work; were the model
// wrong, the mapping's timeout would stop it as time).
func TestExpensiveExpressionAnswersInTime(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrap(t, t.TempDir())
	for _, policy := range []string{"omit", "fail"} {
		t.Run("onClaimError "+policy, func(t *testing.T) {
			// Little memory and many comparisons per loop step.
			mapping := fmt.Sprintf("version: 1\ntimeout: 4s\nonClaimError: %s\nclaims:\n  ok: '\"fine\"'\n  slow: 'let x = 0..40000; all(x, # in x)'\n", policy)
			fn := testenv.StartFunction(t, bootstrap, functionEnv("http://127.0.0.1:9", mapping))
			// The first invocation also pays for the function's init.
			fn.Invoke(t, "warm", []byte(`{"version":"1","userName":"","request":{}}`))
			inv := fn.Invoke(t, "slow-"+policy, readFile(t, "../testdata/events/v2.json"))
			t.Logf("answered in %v", inv.Took.Round(time.Millisecond))
			if inv.Took > 4500*time.Millisecond {
				t.Errorf("answered after %v, want inside 4.5 s", inv.Took)
			}
			logs := fn.WaitOutput(`"limit":"`, 3*time.Second)
			if !strings.Contains(logs, `"limit":"work"`) && !strings.Contains(logs, `"limit":"time"`) {
				t.Errorf("no log line names the work or the time limit:\n%s", logs)
			}
			if policy == "fail" {
				if msg, _ := decode(t, inv.Body)["errorMessage"].(string); msg != "could not prepare your sign-in, try again" {
					t.Fatalf("error message %q, want the public one; body %s", msg, inv.Body)
				}
				return
			}
			if inv.Status != 200 || inv.FunctionError != "" {
				t.Fatalf("status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, logs)
			}
			claims := dig(decode(t, inv.Body), "response", "claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride")
			if fmt.Sprint(claims) != "map[ok:fine]" {
				t.Errorf("claims %v, want only ok", claims)
			}
		})
	}
}
