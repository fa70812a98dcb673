package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// metered compiles mapping over store with metrics on, logs and metrics
// both to buf as on Lambda's stdout.
func metered(t *testing.T, mapping string, store mapper.Store, buf *bytes.Buffer, extra map[string]string) *Handler {
	t.Helper()
	vars := map[string]string{mappingfile.EnvInline: mapping, envFunctionName: "signin-claims", envFunctionVersion: "7"}
	for k, v := range extra {
		vars[k] = v
	}
	h, err := NewHandler(context.Background(), env(vars), store, NewLogger(buf, slog.LevelInfo), buf)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// documents checks every EMF line in out against the specification.
func documents(t *testing.T, out []byte) []testenv.EMF {
	t.Helper()
	var docs []testenv.EMF
	for _, l := range testenv.EMFLines(out) {
		d, err := testenv.CheckEMF(l)
		if err != nil {
			t.Fatalf("invalid EMF document: %v\n%s", err, l)
		}
		docs = append(docs, d)
	}
	return docs
}

func want(t *testing.T, d testenv.EMF, values map[string]any) {
	t.Helper()
	for k, v := range values {
		got := d[k]
		if n, ok := v.(int); ok {
			v = float64(n)
		}
		if got != v {
			t.Errorf("%s = %v, want %v in %v", k, got, v, d)
		}
	}
}

const twoSources = `version: 1
timeout: 2s
sources:
  user:
    table: Users
    key: {id: event.userName}
    cache: 1m
  orgs:
    table: Orgs
    query:
      partition: {pk: event.userName}
    onError: %s
claims:
  firstName: user.first
  orgs: map(orgs, {#.name})
  broken: int(user.first)
`

func TestMetrics(t *testing.T) {
	t.Parallel()
	// Its queries fail.
	store := storeFuncs{
		get: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
			return mapper.Item{"first": "Secret-Ben"}, nil
		},
	}

	t.Run("an answered event writes one document per source looked up, with what happened", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		h := metered(t, strings.Replace(twoSources, "%s", "ignore", 1), store, &buf, nil)
		ctx, cancel := invocation("req-1", time.Now().Add(3*time.Second))
		defer cancel()
		if _, err := h.Invoke(ctx, json.RawMessage(v1Event)); err != nil {
			t.Fatal(err)
		}
		docs := documents(t, buf.Bytes())
		if len(docs) != 2 {
			t.Fatalf("%d documents, want 2 (user, then orgs):\n%s", len(docs), buf.String())
		}
		common := map[string]any{"FunctionName": "signin-claims", "functionVersion": "7", "requestId": "req-1", "mappingSha256": docs[0]["mappingSha256"]}
		want(t, docs[0], common)
		want(t, docs[0], map[string]any{"Invocations": 1, "Failures": 0, "ClaimsAdded": 2, "ClaimErrors": 1, "Source": "user", "SourceErrors": 0, "SourceTimeouts": 0})
		want(t, docs[1], common)
		want(t, docs[1], map[string]any{"Source": "orgs", "SourceErrors": 1, "SourceTimeouts": 0})
		if _, ok := docs[1].Metric("Invocations"); ok {
			t.Errorf("the second document counts the invocation again: %v", docs[1])
		}
		if d, ok := docs[0].Metric("Duration"); !ok || d <= 0 {
			t.Errorf("Duration = %v", docs[0]["Duration"])
		}
		if sha, _ := docs[0]["mappingSha256"].(string); len(sha) != ShortSHA {
			t.Errorf("mappingSha256 = %q, want %d hex digits", sha, ShortSHA)
		}
		// A Store that is no cache reports no cache metrics.
		if _, ok := docs[0].Metric("CacheHits"); ok {
			t.Errorf("cache metrics without a cache: %v", docs[0])
		}
		if strings.Contains(buf.String(), "Secret-Ben") || strings.Contains(buf.String(), "ben@example.com") || strings.Contains(buf.String(), `"ben"`) {
			t.Errorf("user data in the output:\n%s", buf.String())
		}
	})

	t.Run("a failed event counts a failure and the source that failed it", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		h := metered(t, strings.Replace(twoSources, "%s", "fail", 1), store, &buf, nil)
		ctx, cancel := invocation("req-2", time.Now().Add(3*time.Second))
		defer cancel()
		if _, err := h.Invoke(ctx, json.RawMessage(v1Event)); err == nil {
			t.Fatal("the event succeeded")
		}
		docs := documents(t, buf.Bytes())
		if len(docs) != 2 {
			t.Fatalf("%d documents, want 2:\n%s", len(docs), buf.String())
		}
		want(t, docs[0], map[string]any{"Invocations": 1, "Failures": 1, "ClaimsAdded": 0})
		want(t, docs[1], map[string]any{"Source": "orgs", "SourceErrors": 1})
	})

	t.Run("a lookup that runs out of time counts as an error and a timeout", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		hanging := storeFuncs{get: func(ctx context.Context, _ mapper.GetItemInput) (mapper.Item, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}}
		h := metered(t, strings.Replace(userMapping, "%s", "ignore", 1), hanging, &buf, nil)
		ctx, cancel := invocation("req-3", time.Now().Add(time.Second))
		defer cancel()
		if _, err := h.Invoke(ctx, json.RawMessage(v1Event)); err != nil {
			t.Fatal(err)
		}
		docs := documents(t, buf.Bytes())
		if len(docs) != 1 {
			t.Fatalf("%d documents, want 1", len(docs))
		}
		want(t, docs[0], map[string]any{"Failures": 0, "Source": "user", "SourceErrors": 1, "SourceTimeouts": 1})
		if l, ok := docs[0].Metric("SourceLatency"); !ok || l <= 0 {
			t.Errorf("SourceLatency = %v", docs[0]["SourceLatency"])
		}
	})

	t.Run("a malformed event is a failure with no source", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		h := metered(t, strings.Replace(userMapping, "%s", "ignore", 1), store, &buf, nil)
		h.Invoke(context.Background(), json.RawMessage(`{"version":7}`))
		docs := documents(t, buf.Bytes())
		if len(docs) != 1 || docs[0]["Source"] != nil {
			t.Fatalf("documents %v, want one without a source", docs)
		}
		want(t, docs[0], map[string]any{"Invocations": 1, "Failures": 1})
	})

	t.Run("CLAIMS_METRICS=off writes none, and the namespace is configurable", func(t *testing.T) {
		t.Parallel()
		var off, custom bytes.Buffer
		metered(t, "version: 1\nclaims:\n  a: {const: x}\n", nil, &off, map[string]string{EnvMetrics: "off"}).Invoke(context.Background(), json.RawMessage(v1Event))
		metered(t, "version: 1\nclaims:\n  a: {const: x}\n", nil, &custom, map[string]string{EnvMetricsNamespace: "signin"}).Invoke(context.Background(), json.RawMessage(v1Event))
		if n := len(testenv.EMFLines(off.Bytes())); n != 0 {
			t.Errorf("%d documents with metrics off", n)
		}
		docs := documents(t, custom.Bytes())
		if len(docs) != 1 || !strings.Contains(custom.String(), `"Namespace":"signin"`) {
			t.Errorf("want one document in namespace signin:\n%s", custom.String())
		}
	})

	t.Run("a namespace CloudWatch would drop fails the init and says what it allows", func(t *testing.T) {
		t.Parallel()
		for _, ns := range []string{"sign\"in</script>", "AWS/Lambda", "ünïcode", strings.Repeat("n", 256)} {
			_, err := NewHandler(context.Background(), env(map[string]string{mappingfile.EnvInline: "version: 1\n", EnvMetricsNamespace: ns}), nil, NewLogger(&bytes.Buffer{}, slog.LevelInfo), &bytes.Buffer{})
			if err == nil || !strings.Contains(err.Error(), EnvMetricsNamespace) || !strings.Contains(err.Error(), "CloudWatch allows") {
				t.Errorf("namespace %q: err = %v", ns, err)
			}
		}
	})

	t.Run("a function name needing escapes still makes valid documents", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		metered(t, "version: 1\nclaims:\n  a: {const: x}\n", nil, &buf, map[string]string{envFunctionName: "fn\"<x>\u2028y"}).Invoke(context.Background(), json.RawMessage(v1Event))
		if docs := documents(t, buf.Bytes()); len(docs) != 1 || docs[0]["FunctionName"] != "fn\"<x>\u2028y" {
			t.Errorf("documents %v", docs)
		}
	})

	t.Run("a CLAIMS_METRICS value other than on or off fails the init", func(t *testing.T) {
		t.Parallel()
		_, err := NewHandler(context.Background(), env(map[string]string{mappingfile.EnvInline: "version: 1\n", EnvMetrics: "maybe"}), nil, NewLogger(&bytes.Buffer{}, slog.LevelInfo), &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "want on or off") {
			t.Errorf("err = %v", err)
		}
	})

	t.Run("refresh outcomes go out with the next invocation, by outcome", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		h := metered(t, "version: 1\nclaims:\n  a: {const: x}\n", nil, &buf, nil)
		h.Metrics.Refreshed(RefreshRejected)
		h.Metrics.Refreshed(RefreshS3Error)
		h.Invoke(context.Background(), json.RawMessage(v1Event))
		docs := documents(t, buf.Bytes())
		if len(docs) != 2 {
			t.Fatalf("%d documents, want 2:\n%s", len(docs), buf.String())
		}
		want(t, docs[0], map[string]any{"Invocations": 1, "Outcome": RefreshRejected, "MappingRefresh": 1})
		want(t, docs[1], map[string]any{"Outcome": RefreshS3Error, "MappingRefresh": 1})
		buf.Reset()
		h.Invoke(context.Background(), json.RawMessage(v1Event))
		if docs := documents(t, buf.Bytes()); len(docs) != 1 || docs[0]["Outcome"] != nil {
			t.Errorf("outcomes written twice: %v", docs)
		}
	})
}

func TestEveryLogLineNamesTheMapping(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := handler(t, strings.Replace(userMapping, "%s", "fail", 1), storeFuncs{get: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
		return nil, errors.New("ProvisionedThroughputExceededException")
	}}, &buf, slog.LevelInfo)
	ctx, cancel := invocation("req-9", time.Now().Add(time.Second))
	defer cancel()
	h.Invoke(ctx, json.RawMessage(v1Event))
	_, version := h.Mappings.Current(context.Background())
	var failed bool
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if rec["requestId"] == nil {
			continue // init lines name the mapping in full
		}
		if rec["mappingSha256"] != version.SHA256 {
			t.Errorf("line without the mapping's sha256 %s: %s", version.SHA256, line)
		}
		failed = failed || rec["msg"] == "event failed"
	}
	if !failed {
		t.Errorf("no event failed line:\n%s", buf.String())
	}
}

// The documents are written on every invocation: once the buffer has grown,
// writing them allocates nothing, whatever the sources did.
func TestMetricsWriteAllocatesNothing(t *testing.T) {
	m, err := MetricsFromEnv(env(map[string]string{envFunctionName: "signin-claims", envFunctionVersion: "7"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	stats := &mapper.Stats{ClaimsAdded: 2, Sources: []mapper.SourceStats{
		{Name: "user", Latency: time.Millisecond, Cached: true},
		{Name: "orgs", Err: true, Timeout: true, Latency: 2 * time.Millisecond},
		{Name: "plan", Cached: true, CacheHit: true},
	}}
	inv := invocationFacts{requestID: "req-1", duration: 3 * time.Millisecond, stats: stats, mapping: newMappingVersion("0123456789abcdef", "v1")}
	m.Refreshed(RefreshUpdated)
	m.write(inv)
	if n := testenv.AllocsPerCall(100, func() { m.write(inv) }); n != 0 {
		t.Errorf("writing one invocation's metrics allocates %v times, want none", n)
	}
}
