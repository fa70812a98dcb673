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
			// The emulator passes log lines on after the answer they precede:
			// wait for the new process's line rather than read at once.
			loaded := func(out string) bool { return strings.Count(out, `"msg":"mapping loaded"`) >= 2 }
			out := fn.WaitOutputFunc(loaded, 10*time.Second)
			if n := strings.Count(out, `"msg":"mapping loaded"`); n != 2 {
				t.Errorf("the mapping was loaded %d times, want twice: the runaway's process ended and a new one answered\n%s", n, out)
			}
		})
	}
}

// TestHostileMappingAtRefresh: the S3 object is replaced by hostile
// mappings of about 1 MiB (brackets nested half a million deep, a list of
// half a million items); each refresh rejects it cheaply, logs why, and the
// function keeps answering with the mapping it had.
func TestHostileMappingAtRefresh(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrap(t, t.TempDir())
	s3 := testenv.StartS3(t)
	s3.CreateBucket(t, "maps")
	event := readFile(t, "../testdata/seed/event.json")
	s3.Put(t, "maps", "live.yaml", constMapping("A"))
	fn := testenv.StartFunction(t, bootstrap, mappingEnv(s3,
		"CLAIMS_MAPPING_URI", s3.URI("maps", "live.yaml"), "CLAIMS_MAPPING_REFRESH", "1s", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
	if got := mappingVersion(t, fn.Invoke(t, "h-0", event), fn); got != "A" {
		t.Fatalf("first invocation served mapping %q, want A", got)
	}
	const near = 1<<20 - 1024
	for _, tt := range []struct{ name, src, rule string }{
		{"parens", "version: 1\nclaims:\n  x: '" + strings.Repeat("(", near/2-20) + "1" + strings.Repeat(")", near/2-20) + "'\n", `"rule":"text-size"`},
		{"flow", "version: 1\nclaims: " + strings.Repeat("[", near/2-20) + strings.Repeat("]", near/2-20) + "\n", `"rule":"yaml-depth"`},
		{"wide", "version: 1\nclaims:\n  x: {const: [" + strings.Repeat("1,", near/2-40) + "1]}\n", `"rule":"yaml-size"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := strings.Count(fn.Output(), "mapping rejected, keeping the current mapping")
			s3.Put(t, "maps", "live.yaml", tt.src)
			// Invoke until the refresh has seen it: each answer must still
			// come from A.
			for i := 0; strings.Count(fn.Output(), "mapping rejected, keeping the current mapping") == before; i++ {
				if got := mappingVersion(t, fn.Invoke(t, fmt.Sprintf("h-%s-%d", tt.name, i), event), fn); got != "A" {
					t.Fatalf("served %q, want A", got)
				}
				if i > 200 {
					t.Fatalf("the hostile mapping was never rejected:\n%s", fn.Output())
				}
				fn.WaitOutput(`"trigger":"refresh"`, 100*time.Millisecond) // a refresh or a pause
			}
			if !strings.Contains(fn.Output(), tt.rule) {
				t.Errorf("the rejection does not name %s:\n%s", tt.rule, fn.Output())
			}
			if got := mappingVersion(t, fn.Invoke(t, "h-after-"+tt.name, event), fn); got != "A" {
				t.Errorf("after the rejection the function served %q, want A", got)
			}
		})
	}
}
