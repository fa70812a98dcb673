package integration

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// metricsMapping reads the seed user, cached, and the orgs of a table that
// does not exist, which fails every time.
func metricsMapping(onError, timeout string) string {
	return fmt.Sprintf(`version: 1
timeout: %s
sources:
  user:
    table: SampleUsers
    key: {userName: event.userName}
    cache: 1m
  orgs:
    table: NoSuchTable
    query:
      partition: {pk: event.userName}
    onError: %s
claims:
  firstName: user.FirstName
  lastName: user.LastName
  orgs: map(orgs, {#.name})
`, timeout, onError)
}

// TestMetrics runs the binary under the emulator against dynalite and reads
// back the Embedded Metric Format documents it writes: each is valid by the
// specification, says what happened, and holds no user data.
func TestMetrics(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrap(t, t.TempDir())
	db := testenv.StartDynamoDB(t)
	loadData(t, db, "../testdata/seed/users.yaml")
	event := readFile(t, "../testdata/seed/event.json")

	t.Run("a source error, then a cache hit, counted per source", func(t *testing.T) {
		mapping := metricsMapping("ignore", "2s")
		fn := testenv.StartFunction(t, bootstrap, functionEnv(db.Endpoint, mapping))
		for _, id := range []string{"miss", "hit"} {
			if inv := fn.Invoke(t, id, event); inv.FunctionError != "" {
				t.Fatalf("%s: %s\n%s", id, inv.Body, fn.Output())
			}
		}
		docs := metricDocs(t, fn, map[string]int{"miss": 2, "hit": 2})
		sha := shortSHA(mapping)
		for _, id := range []string{"miss", "hit"} {
			user, orgs := docs[id][0], docs[id][1]
			wantMetrics(t, id, user, map[string]any{"Invocations": 1, "Failures": 0, "ClaimsAdded": 3, "ClaimErrors": 0,
				"Source": "user", "SourceErrors": 0, "SourceTimeouts": 0, "mappingSha256": sha})
			wantMetrics(t, id, orgs, map[string]any{"Source": "orgs", "SourceErrors": 1, "SourceTimeouts": 0, "mappingSha256": sha})
		}
		wantMetrics(t, "miss", docs["miss"][0], map[string]any{"CacheHits": 0, "CacheMisses": 1})
		wantMetrics(t, "hit", docs["hit"][0], map[string]any{"CacheHits": 1, "CacheMisses": 0})
		noUserData(t, fn.Output())
		// Every log line of an invocation names the mapping too.
		for _, line := range strings.Split(fn.Output(), "\n") {
			if strings.Contains(line, `"requestId":"miss"`) && !strings.Contains(line, `"mappingSha256":"`+sha+`"`) {
				t.Errorf("log line without the mapping's version: %s", line)
			}
		}
	})

	t.Run("a failed sign-in counts a failure", func(t *testing.T) {
		fn := testenv.StartFunction(t, bootstrap, functionEnv(db.Endpoint, metricsMapping("fail", "2s")))
		if inv := fn.Invoke(t, "failed", event); !strings.Contains(string(inv.Body), "errorMessage") {
			t.Fatalf("the event succeeded: %s", inv.Body)
		}
		docs := metricDocs(t, fn, map[string]int{"failed": 2})
		wantMetrics(t, "failed", docs["failed"][0], map[string]any{"Invocations": 1, "Failures": 1, "ClaimsAdded": 0})
		wantMetrics(t, "failed", docs["failed"][1], map[string]any{"Source": "orgs", "SourceErrors": 1})
		noUserData(t, fn.Output())
	})

	t.Run("a DynamoDB that never answers counts a timeout", func(t *testing.T) {
		silent := testenv.StartSilentServer(t)
		fn := testenv.StartFunction(t, bootstrap, functionEnv(silent, userMapping("ignore", "500ms")))
		if inv := fn.Invoke(t, "slow", event); inv.FunctionError != "" {
			t.Fatalf("%s", inv.Body)
		}
		docs := metricDocs(t, fn, map[string]int{"slow": 1})
		wantMetrics(t, "slow", docs["slow"][0], map[string]any{"Failures": 0, "ClaimsAdded": 0, "Source": "user", "SourceErrors": 1, "SourceTimeouts": 1})
		if l, _ := docs["slow"][0].Metric("SourceLatency"); l < 400 {
			t.Errorf("SourceLatency %v ms, want about the 500 ms timeout", l)
		}
	})

	t.Run("CLAIMS_METRICS=off writes none", func(t *testing.T) {
		fn := testenv.StartFunction(t, bootstrap, functionEnv(db.Endpoint, metricsMapping("ignore", "2s"), "CLAIMS_METRICS", "off"))
		fn.Invoke(t, "quiet", event)
		out := fn.WaitOutput(`"msg":"event answered"`, 3*time.Second)
		if n := len(testenv.EMFLines([]byte(out))); n != 0 {
			t.Errorf("%d EMF documents with metrics off", n)
		}
	})
}

// metricDocs waits for the number of documents each request id should
// have, checks each against the EMF specification, and returns them by
// request id in the order written.
func metricDocs(t *testing.T, fn *testenv.Function, want map[string]int) map[string][]testenv.EMF {
	t.Helper()
	docs := func(out string) map[string][]testenv.EMF {
		got := map[string][]testenv.EMF{}
		for _, line := range testenv.EMFLines([]byte(out)) {
			doc, err := testenv.CheckEMF(line)
			if err != nil {
				t.Fatalf("invalid EMF document: %v\n%s", err, line)
			}
			if doc["Namespace"] != nil {
				t.Fatalf("document has a member named like a directive field: %s", line)
			}
			id, _ := doc["requestId"].(string)
			got[id] = append(got[id], doc)
		}
		return got
	}
	out := fn.WaitOutputFunc(func(out string) bool {
		got := docs(out)
		for id, n := range want {
			if len(got[id]) < n {
				return false
			}
		}
		return true
	}, 5*time.Second)
	got := docs(out)
	for id, n := range want {
		if len(got[id]) != n {
			t.Fatalf("%d documents for %s, want %d:\n%s", len(got[id]), id, n, out)
		}
	}
	return got
}

func wantMetrics(t *testing.T, id string, doc testenv.EMF, values map[string]any) {
	t.Helper()
	for k, v := range values {
		if n, ok := v.(int); ok {
			v = float64(n)
		}
		if doc[k] != v {
			b, _ := json.Marshal(doc)
			t.Errorf("%s: %s = %v, want %v in %s", id, k, doc[k], v, b)
		}
	}
}

// noUserData checks the documents name no user: the seed user's name,
// user name and attributes.
func noUserData(t *testing.T, out string) {
	t.Helper()
	for _, line := range testenv.EMFLines([]byte(out)) {
		for _, secret := range []string{"benbpyle", "Ben", "Pyle", "fake-sub", "+999"} {
			if strings.Contains(string(line), secret) {
				t.Errorf("EMF document holds user data %q: %s", secret, line)
			}
		}
	}
}

func shortSHA(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])[:12]
}
