package integration

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestLambda runs the binary under the Lambda emulator against dynalite. It
// is one test with sequential subtests: emulator tests must not overlap.
func TestLambda(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrap(t, t.TempDir())
	db := testenv.StartDynamoDB(t)
	loadData(t, db, "../testdata/full/data.yaml", "../testdata/seed/users.yaml")
	proxy := testenv.StartProxy(t, db.Endpoint)

	t.Run("the seed scenario puts first and last name in the ID token", func(t *testing.T) {
		fn := testenv.StartFunction(t, bootstrap, functionEnv(proxy.URL, string(readFile(t, "../testdata/seed/mapping.yaml")), "TABLE_NAME", "SampleUsers"))
		inv := fn.Invoke(t, "seed-1", readFile(t, "../testdata/seed/event.json"))
		if inv.Status != 200 || inv.FunctionError != "" {
			t.Fatalf("status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, fn.Output())
		}
		claims := dig(decode(t, inv.Body), "response", "claimsOverrideDetails", "claimsToAddOrOverride")
		if fmt.Sprint(claims) != "map[firstName:Ben lastName:Pyle]" {
			t.Errorf("claims = %v, want firstName Ben, lastName Pyle", claims)
		}

		unknown := strings.Replace(string(readFile(t, "../testdata/seed/event.json")), `"benbpyle"`, `"nobody"`, 1)
		inv = fn.Invoke(t, "seed-2", []byte(unknown))
		if inv.Status != 200 || inv.FunctionError != "" {
			t.Fatalf("unknown user: status %d, error %q: %s", inv.Status, inv.FunctionError, inv.Body)
		}
		if claims := dig(decode(t, inv.Body), "response", "claimsOverrideDetails", "claimsToAddOrOverride"); fmt.Sprint(claims) != "map[]" {
			t.Errorf("unknown user got claims %v, want none", claims)
		}
		logs := fn.WaitOutput(`"requestId":"seed-2"`, 3*time.Second)
		for _, id := range []string{"seed-1", "seed-2"} {
			if !strings.Contains(logs, `"requestId":"`+id+`"`) {
				t.Errorf("no log line carries request id %s:\n%s", id, logs)
			}
		}
		if strings.Contains(logs, "Pyle") || strings.Contains(logs, "benbpyle") {
			t.Errorf("info logs hold user data:\n%s", logs)
		}
		proxy.Requests()
	})

	t.Run("every event version gets the same response as with local data", func(t *testing.T) {
		fn := testenv.StartFunction(t, bootstrap, functionEnv(proxy.URL, string(readFile(t, "../testdata/full/mapping.yaml"))))
		for _, v := range []string{"v1", "v2", "v3"} {
			inv := fn.Invoke(t, "full-"+v, readFile(t, "../testdata/events/"+v+".json"))
			if inv.Status != 200 || inv.FunctionError != "" {
				t.Fatalf("%s: status %d, error %q: %s\n%s", v, inv.Status, inv.FunctionError, inv.Body, fn.Output())
			}
			sameJSON(t, inv.Body, readFile(t, "../testdata/full/golden/"+v+".json"))
			if v == "v2" {
				checkTypedV2(t, decode(t, inv.Body))
			}
		}
		proxy.Requests()
	})

	t.Run("each source costs one request that asks only for the attributes read", func(t *testing.T) {
		fn := testenv.StartFunction(t, bootstrap, functionEnv(proxy.URL, string(readFile(t, "../testdata/full/mapping.yaml"))))
		fn.Invoke(t, "warm", readFile(t, "../testdata/seed/event.json"))
		proxy.Requests()
		// jdoe has a tenant: user, then memberships and tenant.
		inv := fn.Invoke(t, "count", readFile(t, "../testdata/events/v2.json"))
		if inv.FunctionError != "" {
			t.Fatalf("error: %s", inv.Body)
		}
		reqs := proxy.Requests()
		var ops []string
		for _, r := range reqs {
			ops = append(ops, r.Op+" "+fmt.Sprint(r.Body["TableName"]))
		}
		sort.Strings(ops)
		if want := []string{"GetItem Tenants", "GetItem Users", "Query AppTable"}; !slices.Equal(ops, want) {
			t.Fatalf("requests %v, want %v", ops, want)
		}
		for _, r := range reqs {
			if r.Body["TableName"] != "Users" {
				continue
			}
			got := projected(r.Body)
			want := []string{"FirstName", "LastName", "age", "canWrite", "groups", "iamRoles", "preferredRole", "tenantId", "userName"}
			if !slices.Equal(got, want) {
				t.Errorf("Users projection %v, want %v", got, want)
			}
		}
	})

	t.Run("a stopped DynamoDB leaves claims out or fails the event, as the mapping says", func(t *testing.T) {
		gone := testenv.StartDynamoDB(t)
		gone.Stop()
		for _, tt := range []struct{ onError, want string }{{"ignore", "answered"}, {"fail", "failed"}} {
			// A subtest each, so one function stops before the next starts.
			t.Run("onError "+tt.onError, func(t *testing.T) {
				fn := testenv.StartFunction(t, bootstrap, functionEnv(gone.Endpoint, userMapping(tt.onError, "2s")))
				inv := fn.Invoke(t, "stopped-"+tt.onError, readFile(t, "../testdata/seed/event.json"))
				checkOutcome(t, inv, tt.want, fn)
				if inv.Took >= cognitoDeadline {
					t.Errorf("answered after %v, outside the %v Cognito waits", inv.Took, cognitoDeadline)
				}
			})
		}
	})

	t.Run("a DynamoDB that never answers costs the timeout, well under 5 seconds", func(t *testing.T) {
		silent := testenv.StartSilentServer(t)
		for _, tt := range []struct{ onError, want string }{{"ignore", "answered"}, {"fail", "failed"}} {
			t.Run("onError "+tt.onError, func(t *testing.T) {
				fn := testenv.StartFunction(t, bootstrap, functionEnv(silent, userMapping(tt.onError, "1500ms")))
				// The first invocation also pays for the function's init.
				fn.Invoke(t, "warm", []byte(`{"version":"1","userName":"","request":{}}`))
				inv := fn.Invoke(t, "hang-"+tt.onError, readFile(t, "../testdata/seed/event.json"))
				checkOutcome(t, inv, tt.want, fn)
				t.Logf("answered in %v with a 1.5s lookup timeout", inv.Took.Round(time.Millisecond))
				// The lookup timeout, not an early error, ended it: the
				// function says so. And it answered inside Cognito's deadline.
				if logs := fn.WaitOutput("no answer within the lookup timeout", 3*time.Second); !strings.Contains(logs, "no answer within the lookup timeout") {
					t.Errorf("the lookup timeout is not what ended the lookup:\n%s", logs)
				}
				if inv.Took >= cognitoDeadline {
					t.Errorf("answered after %v, outside the %v Cognito waits", inv.Took, cognitoDeadline)
				}
			})
		}
	})
}

// cognitoDeadline is how long Cognito waits for the trigger's answer.
const cognitoDeadline = 5 * time.Second

// userMapping is the seed mapping with the given error policy and timeout.
func userMapping(onError, timeout string) string {
	return fmt.Sprintf(`version: 1
timeout: %s
sources:
  user:
    table: SampleUsers
    key: {userName: event.userName}
    onError: %s
claims:
  firstName: user.FirstName
`, timeout, onError)
}

// checkOutcome checks that an invocation was answered without claims, or
// failed with the message a user may see and nothing more.
func checkOutcome(t *testing.T, inv testenv.Invocation, want string, fn *testenv.Function) {
	t.Helper()
	logLine := map[string]string{"answered": "source lookup failed", "failed": `"msg":"event failed"`}[want]
	logs := fn.WaitOutput(logLine, 3*time.Second)
	switch want {
	case "answered":
		if inv.FunctionError != "" || inv.Status != 200 {
			t.Fatalf("status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, logs)
		}
		if claims := dig(decode(t, inv.Body), "response", "claimsOverrideDetails", "claimsToAddOrOverride"); fmt.Sprint(claims) != "map[]" {
			t.Errorf("claims %v, want none", claims)
		}
		if !strings.Contains(logs, "source lookup failed") {
			t.Errorf("the failed lookup is not logged:\n%s", logs)
		}
	case "failed":
		body := decode(t, inv.Body)
		msg, _ := body["errorMessage"].(string)
		if msg != "could not load your profile, try again" {
			t.Fatalf("error message %q, want the public one; body %s\n%s", msg, inv.Body, logs)
		}
		if !strings.Contains(logs, `"msg":"event failed"`) {
			t.Errorf("the cause is not logged:\n%s", logs)
		}
	}
}

// checkTypedV2 checks that typed values reach both tokens of a V2 response.
func checkTypedV2(t *testing.T, ev map[string]any) {
	t.Helper()
	d := dig(ev, "response", "claimsAndScopeOverrideDetails")
	id := dig(d, "idTokenGeneration", "claimsToAddOrOverride")
	access := dig(d, "accessTokenGeneration", "claimsToAddOrOverride")
	for name, tok := range map[string]any{"ID": id, "access": access} {
		if age, ok := dig(tok, "age").(float64); !ok || age != 37 {
			t.Errorf("%s token age = %#v, want the number 37", name, dig(tok, "age"))
		}
		if admin, ok := dig(tok, "admin").(bool); !ok || !admin {
			t.Errorf("%s token admin = %#v, want true", name, dig(tok, "admin"))
		}
	}
	if tenants, ok := dig(access, "tenants").([]any); !ok || fmt.Sprint(tenants) != "[acme globex]" {
		t.Errorf("access token tenants = %#v, want [acme globex]", dig(access, "tenants"))
	}
}

// projected lists the attribute names a request's ProjectionExpression asks for.
func projected(body map[string]any) []string {
	names, _ := body["ExpressionAttributeNames"].(map[string]any)
	expr, _ := body["ProjectionExpression"].(string)
	var out []string
	for _, p := range strings.Split(expr, ",") {
		if n, ok := names[strings.TrimSpace(p)].(string); ok {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// TestCLIServesAsTheFunction checks the CLI still serves the trigger when
// Lambda runs it with no arguments, as it did before the function had a
// package of its own: a function deployed with the CLI binary keeps working.
func TestCLIServesAsTheFunction(t *testing.T) {
	testenv.Integration(t)
	cli := testenv.BuildCLI(t, t.TempDir())
	db := testenv.StartDynamoDB(t)
	loadData(t, db, "../testdata/seed/users.yaml")
	fn := testenv.StartFunction(t, cli, functionEnv(db.Endpoint, string(readFile(t, "../testdata/seed/mapping.yaml")), "TABLE_NAME", "SampleUsers"))
	inv := fn.Invoke(t, "cli-1", readFile(t, "../testdata/seed/event.json"))
	if inv.Status != 200 || inv.FunctionError != "" {
		t.Fatalf("status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, fn.Output())
	}
	if claims := dig(decode(t, inv.Body), "response", "claimsOverrideDetails", "claimsToAddOrOverride"); fmt.Sprint(claims) != "map[firstName:Ben lastName:Pyle]" {
		t.Errorf("claims = %v, want firstName Ben, lastName Pyle", claims)
	}
}
