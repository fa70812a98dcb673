package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/lambda"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestMappingDelivery runs the binary under the Lambda emulator with its
// mapping inline, in a file, or in S3 (s3rver), including hot reload. Its
// subtests run one after another: emulator tests must not overlap.
func TestMappingDelivery(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrap(t, t.TempDir())
	s3 := testenv.StartS3(t)
	s3.CreateBucket(t, "maps")
	event := readFile(t, "../testdata/seed/event.json")

	t.Run("an s3 mapping is loaded, refreshed, and kept when a change is bad or s3 is gone", func(t *testing.T) {
		const refresh = 2 * time.Second
		a := constMapping("A")
		etag := s3.Put(t, "maps", "live.yaml", a)
		loadedBy := time.Now() // the function loads A after this
		fn := testenv.StartFunction(t, bootstrap, mappingEnv(s3,
			"CLAIMS_MAPPING_URI", s3.URI("maps", "live.yaml"), "CLAIMS_MAPPING_REFRESH", refresh.String()))

		if got := mappingVersion(t, fn.Invoke(t, "s3-1", event), fn); got != "A" {
			t.Fatalf("first invocation served mapping %q, want A", got)
		}
		logs := fn.WaitOutput(`"claims":1`, 3*time.Second)
		for _, want := range []string{`"msg":"mapping loaded","source":"s3://maps/live.yaml","trigger":"init"`,
			`"etag":` + quoteJSON(etag), `"sha256":"` + sum(a) + `"`, `"claims":1`} {
			if !strings.Contains(logs, want) {
				t.Errorf("the load log lacks %s:\n%s", want, logs)
			}
		}

		b := constMapping("B")
		s3.Put(t, "maps", "live.yaml", b)
		// The function checks S3 only once the refresh interval has passed
		// since it loaded A: B before that would be a check too early.
		if got := mappingVersion(t, fn.Invoke(t, "s3-2", event), fn); got != "A" && time.Since(loadedBy) < refresh {
			t.Errorf("before the refresh interval the function served %q, want A still", got)
		}
		// Observe the refresh instead of waiting it out: invoke until B is
		// served (a check runs only while the function runs).
		bID := untilServed(t, fn, event, "s3-b", "B")
		if !strings.Contains(fn.WaitOutput(`"sha256":"`+sum(b)+`"`, 3*time.Second), `"trigger":"refresh"`) || !strings.Contains(fn.Output(), `"sha256":"`+sum(b)+`"`) {
			t.Errorf("the refresh is not logged with the new digest:\n%s", fn.Output())
		}

		s3.Put(t, "maps", "live.yaml", "version: 1\nclaims:\n  sub: {const: x}\n")
		rejected := `"msg":"mapping rejected, keeping the current mapping"`
		rIDs := untilLogged(t, fn, event, "s3-r", rejected, "B")
		logs = fn.Output()
		for _, want := range []string{`"msg":"invalid mapping","finding":"s3://maps/live.yaml:3:3: claims.sub`, rejected} {
			if !strings.Contains(logs, want) {
				t.Errorf("logs lack %s:\n%s", want, logs)
			}
		}

		// With S3 gone, every sign-in is still answered with B inside the
		// function's deadline (AWS_LAMBDA_FUNCTION_TIMEOUT, within
		// Cognito's 5 seconds) until a check fails and says so.
		s3.Stop()
		sIDs := untilLogged(t, fn, event, "s3-s", `"msg":"mapping check failed, keeping the current mapping"`, "B")
		checkRefreshMetrics(t, fn, event, sum(b), bID, rIDs, sIDs)
	})

	t.Run("a missing s3 object fails the init", func(t *testing.T) {
		srv := testenv.StartS3(t)
		srv.CreateBucket(t, "maps")
		fn := testenv.StartFunction(t, bootstrap, mappingEnv(srv, "CLAIMS_MAPPING_URI", srv.URI("maps", "missing.yaml")))
		initFails(t, fn, fn.Invoke(t, "missing", event), "read the mapping s3://maps/missing.yaml", "NoSuchKey")
	})

	t.Run("both CLAIMS_MAPPING and CLAIMS_MAPPING_URI fail the init", func(t *testing.T) {
		fn := testenv.StartFunction(t, bootstrap, mappingEnv(nil,
			"CLAIMS_MAPPING", constMapping("inline"), "CLAIMS_MAPPING_URI", "s3://maps/live.yaml"))
		initFails(t, fn, fn.Invoke(t, "both", event), "both CLAIMS_MAPPING and CLAIMS_MAPPING_URI are set: set only one")
	})

	t.Run("neither variable fails the init", func(t *testing.T) {
		fn := testenv.StartFunction(t, bootstrap, mappingEnv(nil))
		initFails(t, fn, fn.Invoke(t, "neither", event), "no mapping: set CLAIMS_MAPPING")
	})

	t.Run("an inline mapping works", func(t *testing.T) {
		fn := testenv.StartFunction(t, bootstrap, mappingEnv(nil, "CLAIMS_MAPPING", constMapping("inline")))
		if got := mappingVersion(t, fn.Invoke(t, "inline", event), fn); got != "inline" {
			t.Errorf("served %q, want inline", got)
		}
		if !strings.Contains(fn.WaitOutput(`"source":"CLAIMS_MAPPING"`, 3*time.Second), `"source":"CLAIMS_MAPPING","trigger":"init","sha256":"`+sum(constMapping("inline"))) {
			t.Errorf("the load is not logged:\n%s", fn.Output())
		}
	})

	t.Run("a file path relative to the task root works", func(t *testing.T) {
		root := t.TempDir()
		if err := os.MkdirAll(filepath.Join(root, "conf"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "conf", "mapping.yaml"), []byte(constMapping("file")), 0o644); err != nil {
			t.Fatal(err)
		}
		fn := testenv.StartFunction(t, bootstrap, mappingEnv(nil, "CLAIMS_MAPPING_URI", "conf/mapping.yaml", "LAMBDA_TASK_ROOT", root))
		if got := mappingVersion(t, fn.Invoke(t, "file", event), fn); got != "file" {
			t.Errorf("served %q, want file", got)
		}
		if !strings.Contains(fn.WaitOutput(`"source":"`+filepath.Join(root, "conf", "mapping.yaml")+`"`, 3*time.Second), `"source":"`+filepath.Join(root, "conf", "mapping.yaml")+`"`) {
			t.Errorf("the load does not name the file:\n%s", fn.Output())
		}
	})
}

// constMapping is a mapping that reads no table and tells which it is.
func constMapping(version string) string {
	return fmt.Sprintf("version: 1\nclaims:\n  mappingVersion: {const: %s}\n", version)
}

// mappingEnv is a function's environment with the given variables; with s3,
// its SDK reaches that server. DynamoDB is unused: the mappings read none.
func mappingEnv(s3 *testenv.S3, kv ...string) map[string]string {
	env := testenv.AWSEnv("http://127.0.0.1:9")
	if s3 != nil {
		for k, v := range s3.Env() {
			env[k] = v
		}
	}
	env["LOG_LEVEL"] = "info"
	env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "5"
	for i := 0; i+1 < len(kv); i += 2 {
		env[kv[i]] = kv[i+1]
	}
	return env
}

// mappingVersion is the mappingVersion claim an invocation returned.
func mappingVersion(t *testing.T, inv testenv.Invocation, fn *testenv.Function) string {
	t.Helper()
	if inv.Status != 200 || inv.FunctionError != "" {
		t.Fatalf("status %d, error %q: %s\n%s", inv.Status, inv.FunctionError, inv.Body, fn.Output())
	}
	v, _ := dig(decode(t, inv.Body), "response", "claimsOverrideDetails", "claimsToAddOrOverride", "mappingVersion").(string)
	return v
}

// initFails checks that the function did not start and logged why.
func initFails(t *testing.T, fn *testenv.Function, inv testenv.Invocation, logged ...string) {
	t.Helper()
	if inv.Status == 200 && inv.FunctionError == "" {
		t.Errorf("the invocation succeeded: %s", inv.Body)
	}
	logs := fn.WaitOutput(`"msg":"init failed"`, 3*time.Second)
	for _, want := range logged {
		logs = fn.WaitOutput(want, 3*time.Second)
	}
	if !strings.Contains(logs, `"msg":"init failed"`) {
		t.Errorf("no init failure logged:\n%s", logs)
	}
	for _, want := range logged {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// quoteJSON is s as a JSON string, as the logs write an ETag with its quotes.
func quoteJSON(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// refreshDeadline bounds the wait for a refresh to be seen: the interval
// is 2 s; the rest is for a machine busy with other work.
const refreshDeadline = 60 * time.Second

// untilServed invokes the function (request ids prefix0, prefix1, …) until
// it serves the mapping want, and returns the id that first did.
func untilServed(t *testing.T, fn *testenv.Function, event []byte, prefix, want string) string {
	t.Helper()
	deadline := time.Now().Add(refreshDeadline)
	for i := 0; time.Now().Before(deadline); i++ {
		id := fmt.Sprintf("%s%d", prefix, i)
		refreshes := strings.Count(fn.Output(), `"trigger":"refresh"`)
		if mappingVersion(t, fn.Invoke(t, id, event), fn) == want {
			return id
		}
		// The next refresh line, or a pause: an earlier line must not end the wait.
		fn.WaitOutputFunc(func(out string) bool { return strings.Count(out, `"trigger":"refresh"`) > refreshes }, 100*time.Millisecond)
	}
	t.Fatalf("the function never served mapping %s:\n%s", want, fn.Output())
	return ""
}

// untilLogged invokes the function until its logs hold line, each
// invocation answered with the mapping serving (the one kept), and returns
// the request ids used.
func untilLogged(t *testing.T, fn *testenv.Function, event []byte, prefix, line, serving string) []string {
	t.Helper()
	var ids []string
	deadline := time.Now().Add(refreshDeadline)
	for i := 0; !strings.Contains(fn.Output(), line); i++ {
		if time.Now().After(deadline) {
			t.Fatalf("the logs never said %s:\n%s", line, fn.Output())
		}
		id := fmt.Sprintf("%s%d", prefix, i)
		ids = append(ids, id)
		if got := mappingVersion(t, fn.Invoke(t, id, event), fn); got != serving {
			t.Errorf("%s: served %q, want %s", id, got, serving)
		}
		fn.WaitOutput(line, 100*time.Millisecond) // the line, or a pause
	}
	return ids
}

// checkRefreshMetrics reads the refresh outcomes back from the metrics: a
// check's outcome goes out with an invocation after it ends, so the B update
// is in the document of bID (the first to serve B), the rejection in one of
// rIDs, and the S3 error in one of sIDs or a later one. The documents from
// bID on name mapping B.
func checkRefreshMetrics(t *testing.T, fn *testenv.Function, event []byte, shaB, bID string, rIDs, sIDs []string) {
	t.Helper()
	byOutcome := map[string]string{}
	servingB := map[string]bool{bID: true}
	for _, id := range append(slices.Clone(rIDs), sIDs...) {
		servingB[id] = true
	}
	deadline := time.Now().Add(refreshDeadline)
	for i := 0; byOutcome[lambda.RefreshS3Error] == "" && time.Now().Before(deadline); i++ {
		fn.Invoke(t, fmt.Sprintf("s3-m%d", i), event)
		fn.WaitOutput(lambda.RefreshS3Error, 100*time.Millisecond) // the outcome, or a pause
		byOutcome = map[string]string{}
		for _, line := range testenv.EMFLines([]byte(fn.Output())) {
			doc, err := testenv.CheckEMF(line)
			if err != nil {
				t.Fatalf("invalid EMF document: %v\n%s", err, line)
			}
			id, _ := doc["requestId"].(string)
			if o, ok := doc["Outcome"].(string); ok && doc["MappingRefresh"] == 1.0 && byOutcome[o] == "" {
				byOutcome[o] = id
			}
			if servingB[id] && doc["mappingSha256"] != shaB[:12] {
				t.Errorf("%s: mappingSha256 %v, want B's %s", id, doc["mappingSha256"], shaB[:12])
			}
		}
	}
	t.Logf("refresh outcomes, with the request that carried them: %v", byOutcome)
	if byOutcome[lambda.RefreshUpdated] != bID {
		t.Errorf("MappingRefresh %s went out with %q, want %s (all: %v)", lambda.RefreshUpdated, byOutcome[lambda.RefreshUpdated], bID, byOutcome)
	}
	if !slices.Contains(rIDs, byOutcome[lambda.RefreshRejected]) {
		t.Errorf("MappingRefresh %s went out with %q, want one of %v (all: %v)", lambda.RefreshRejected, byOutcome[lambda.RefreshRejected], rIDs, byOutcome)
	}
	if byOutcome[lambda.RefreshS3Error] == "" {
		t.Errorf("no MappingRefresh s3-error (all: %v)\n%s", byOutcome, fn.Output())
	}
}
