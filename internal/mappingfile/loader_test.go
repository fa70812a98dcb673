package mappingfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// mappingWith returns a valid mapping with n constant claims.
func mappingWith(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nclaims:\n")
	for i := range n {
		fmt.Fprintf(&b, "  c%d: {const: v%d}\n", i, i)
	}
	return b.String()
}

const invalidMapping = "version: 1\nclaims:\n  sub: {const: x}\n  iss: {const: y}\n"

// fakeS3 serves one object, answers If-None-Match with a 304, and can fail
// or hang on demand.
type fakeS3 struct {
	mu      sync.Mutex
	text    string
	etag    string
	version string
	err     error
	hang    chan struct{} // when set, GetObject blocks until it is closed or ctx ends
	calls   []string      // the If-None-Match of each call
}

func (f *fakeS3) put(text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.text = text
	f.etag = fmt.Sprintf(`"%x"`, digest([]byte(text))[:16])
	f.version = fmt.Sprintf("v%d", len(f.calls))
}

func (f *fakeS3) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.mu.Lock()
	f.calls = append(f.calls, aws.ToString(in.IfNoneMatch))
	hang, err, text, etag, version := f.hang, f.err, f.text, f.etag, f.version
	f.mu.Unlock()
	if hang != nil {
		select {
		case <-hang:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	if in.IfNoneMatch != nil && *in.IfNoneMatch == etag {
		// As the SDK reports it: a response error with the status.
		return nil, &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusNotModified}},
			Err:      errors.New("NotModified: Not Modified"),
		}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(text)), ETag: aws.String(etag), VersionId: aws.String(version)}, nil
}

func (f *fakeS3) set(fn func(f *fakeS3)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

func (f *fakeS3) callList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// clock is a settable time source.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *clock) Add(d time.Duration) { c.ns.Add(int64(d)) }

// harness builds a Loader over a fake S3 and records its logs and compiles.
type harness struct {
	s3       *fakeS3
	clock    *clock
	logs     *syncBuf
	compiles atomic.Int32
	opts     Options
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newHarness(t *testing.T) *harness {
	h := &harness{s3: &fakeS3{}, clock: newClock(), logs: &syncBuf{}}
	h.opts = Options{
		Compile: func(name string, src []byte) (*mapper.Mapper, error) {
			h.compiles.Add(1)
			mp, fs := mapper.Load(src, mapper.LoadOptions{File: name})
			return mp, config.Errors(fs)
		},
		Log:          slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		S3:           func(context.Context) (S3API, error) { return h.s3, nil },
		Now:          h.clock.Now,
		RefreshWait:  time.Second,
		FetchTimeout: 2 * time.Second,
	}
	return h
}

var s3Loc = Location{Kind: S3, Bucket: "maps", Key: "m.yaml", Refresh: time.Minute}

func (h *harness) open(t *testing.T, loc Location) *Loader {
	t.Helper()
	l, err := Open(context.Background(), loc, h.opts)
	if err != nil {
		t.Fatalf("open: %v\nlogs:\n%s", err, h.logs)
	}
	return l
}

func claims(l *Loader) int { return len(l.Mapper(context.Background()).Mapping().Claims) }

func TestOpen(t *testing.T) {
	t.Parallel()
	t.Run("an inline mapping is loaded and logged with its digest and claims", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		text := mappingWith(2)
		l := h.open(t, Location{Kind: Inline, Text: []byte(text)})
		info := l.Active()
		if info.Source != "CLAIMS_MAPPING" || info.Claims != 2 || info.SHA256 != digest([]byte(text)) || info.ETag != "" {
			t.Errorf("info %+v", info)
		}
		want := fmt.Sprintf(`"msg":"mapping loaded","source":"CLAIMS_MAPPING","trigger":"init","sha256":"%s","claims":2`, info.SHA256)
		if !strings.Contains(h.logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, h.logs)
		}
	})
	t.Run("a file is read from its path", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "mapping.yaml"), []byte(mappingWith(3)), 0o644); err != nil {
			t.Fatal(err)
		}
		loc, err := ParseURI("mapping.yaml", root)
		if err != nil {
			t.Fatal(err)
		}
		if l := h.open(t, loc); l.Active().Claims != 3 || l.Active().Source != filepath.Join(root, "mapping.yaml") {
			t.Errorf("info %+v", l.Active())
		}
	})
	t.Run("a missing file fails", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		_, err := Open(context.Background(), Location{Kind: File, Path: "/nonexistent/m.yaml"}, h.opts)
		if err == nil || !strings.Contains(err.Error(), "read the mapping: open /nonexistent/m.yaml") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("an s3 object is loaded with its version and etag", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		info := l.Active()
		if info.Source != "s3://maps/m.yaml" || info.ETag != h.s3.etag || info.VersionID != "v0" || info.Claims != 1 {
			t.Errorf("info %+v", info)
		}
		for _, want := range []string{`"versionId":"v0"`, `"etag":"\"`, `"refresh":60000000000`} {
			if !strings.Contains(h.logs.String(), want) {
				t.Errorf("logs lack %s:\n%s", want, h.logs)
			}
		}
	})
	t.Run("a pinned version is asked for", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		var got string
		h.opts.S3 = func(context.Context) (S3API, error) {
			return getObjectFunc(func(ctx context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
				got = aws.ToString(in.VersionId)
				return h.s3.GetObject(ctx, in)
			}), nil
		}
		h.open(t, Location{Kind: S3, Bucket: "maps", Key: "m.yaml", VersionID: "abc"})
		if got != "abc" {
			t.Errorf("VersionId %q, want abc", got)
		}
	})
	t.Run("a missing s3 object fails and names it", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.err = errors.New("NoSuchKey: The specified key does not exist")
		_, err := Open(context.Background(), s3Loc, h.opts)
		if err == nil || err.Error() != "read the mapping s3://maps/m.yaml: NoSuchKey: The specified key does not exist" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("an object over the size limit fails", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(strings.Repeat("#", MaxSize+1))
		if _, err := Open(context.Background(), s3Loc, h.opts); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("an invalid mapping fails with every finding logged", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(invalidMapping)
		_, err := Open(context.Background(), s3Loc, h.opts)
		var ce *config.Error
		if !errors.As(err, &ce) || len(ce.Findings) < 2 {
			t.Fatalf("error %v, want a config.Error with two findings", err)
		}
		logs := h.logs.String()
		if n := strings.Count(logs, `"msg":"invalid mapping"`); n != len(ce.Findings) {
			t.Errorf("%d finding lines for %d findings:\n%s", n, len(ce.Findings), logs)
		}
		if !strings.Contains(logs, `s3://maps/m.yaml:3:3`) || strings.Contains(logs, "mapping loaded") {
			t.Errorf("findings do not name the object, or a load was logged:\n%s", logs)
		}
	})
}

type getObjectFunc func(ctx context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error)

func (f getObjectFunc) GetObject(ctx context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	return f(ctx, in)
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	t.Run("nothing is asked before the interval has passed", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		h.clock.Add(59 * time.Second)
		claims(l)
		if calls := h.s3.callList(); len(calls) != 1 {
			t.Errorf("%d calls, want only the initial one", len(calls))
		}
	})
	t.Run("an unchanged object costs one conditional request and no compile", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		for range 3 {
			h.clock.Add(time.Minute)
			claims(l)
		}
		calls := h.s3.callList()
		if len(calls) != 4 || calls[1] != h.s3.etag || calls[3] != h.s3.etag {
			t.Errorf("calls (If-None-Match) %q, want the initial one and three with the ETag", calls)
		}
		if n := h.compiles.Load(); n != 1 {
			t.Errorf("%d compiles, want 1", n)
		}
	})
	t.Run("a changed object replaces the mapping in the invocation that checked", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		h.s3.put(mappingWith(2))
		h.clock.Add(time.Minute)
		if n := claims(l); n != 2 {
			t.Fatalf("claims %d, want 2 from the new mapping", n)
		}
		info := l.Active()
		if info.ETag != h.s3.etag || info.SHA256 != digest([]byte(mappingWith(2))) {
			t.Errorf("info %+v", info)
		}
		if !strings.Contains(h.logs.String(), `"trigger":"refresh"`) {
			t.Errorf("no refresh load logged:\n%s", h.logs)
		}
	})
	t.Run("an invalid change is rejected, logged and not fetched again", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		good := l.Active()
		h.s3.put(invalidMapping)
		h.clock.Add(time.Minute)
		if n := claims(l); n != 1 {
			t.Fatalf("claims %d, want the old mapping's 1", n)
		}
		if l.Active() != good {
			t.Errorf("active %+v, want %+v", l.Active(), good)
		}
		logs := h.logs.String()
		for _, want := range []string{`"msg":"invalid mapping"`, `"msg":"mapping rejected, keeping the current mapping"`, `"activeSha256":"` + good.SHA256} {
			if !strings.Contains(logs, want) {
				t.Errorf("logs lack %s:\n%s", want, logs)
			}
		}
		h.clock.Add(time.Minute)
		claims(l)
		calls := h.s3.callList()
		if last := calls[len(calls)-1]; last != h.s3.etag {
			t.Errorf("the next check sent If-None-Match %q, want the rejected ETag %q", last, h.s3.etag)
		}
		if n := strings.Count(h.logs.String(), "mapping rejected"); n != 1 {
			t.Errorf("rejected %d times, want once", n)
		}
		// Fixing the object is picked up.
		h.s3.put(mappingWith(4))
		h.clock.Add(time.Minute)
		if n := claims(l); n != 4 {
			t.Errorf("claims %d after the fix, want 4", n)
		}
	})
	t.Run("an s3 error keeps the mapping and is logged", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		h.s3.set(func(f *fakeS3) { f.err = errors.New("AccessDenied: Access Denied") })
		h.clock.Add(time.Minute)
		if n := claims(l); n != 1 {
			t.Fatalf("claims %d, want 1", n)
		}
		if !strings.Contains(h.logs.String(), `"msg":"mapping check failed, keeping the current mapping","source":"s3://maps/m.yaml","error":"AccessDenied: Access Denied"`) {
			t.Errorf("failure not logged:\n%s", h.logs)
		}
		h.s3.set(func(f *fakeS3) { f.err = nil })
		h.s3.put(mappingWith(2))
		h.clock.Add(time.Minute)
		if n := claims(l); n != 2 {
			t.Errorf("claims %d after S3 recovered, want 2", n)
		}
	})
	t.Run("the same text under a new etag is not compiled again", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		h.s3.set(func(f *fakeS3) { f.etag = `"other"` })
		h.clock.Add(time.Minute)
		claims(l)
		if n := h.compiles.Load(); n != 1 || l.Active().ETag != `"other"` {
			t.Errorf("%d compiles, etag %s; want 1 and the new etag", n, l.Active().ETag)
		}
	})
}

func TestRefreshNeverHoldsAnInvocation(t *testing.T) {
	t.Parallel()
	t.Run("a hanging s3 costs at most the wait, once, and the mapping serves", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.opts.RefreshWait = 100 * time.Millisecond
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		release := make(chan struct{})
		h.s3.set(func(f *fakeS3) { f.hang = release })
		h.s3.put(mappingWith(2))
		h.clock.Add(time.Minute)

		start := time.Now()
		if n := claims(l); n != 1 {
			t.Errorf("claims %d while the check hangs, want the current 1", n)
		}
		if took := time.Since(start); took < 90*time.Millisecond || took > 600*time.Millisecond {
			t.Errorf("the invocation that started the check took %v, want about the 100ms wait", took)
		}
		// The check is still in flight: later invocations neither wait nor
		// start another.
		h.clock.Add(time.Hour)
		start = time.Now()
		claims(l)
		if took := time.Since(start); took > 50*time.Millisecond {
			t.Errorf("a later invocation took %v", took)
		}
		if n := len(h.s3.callList()); n != 2 {
			t.Errorf("%d calls, want 2 (no second check while one is in flight)", n)
		}
		if !strings.Contains(h.logs.String(), "mapping check still running") {
			t.Errorf("the slow check is not logged:\n%s", h.logs)
		}
		// S3 answers: the check completes in the background.
		h.s3.set(func(f *fakeS3) { f.hang = nil })
		close(release)
		deadline := time.Now().Add(2 * time.Second)
		for claims(l) != 2 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if n := claims(l); n != 2 {
			t.Errorf("claims %d after S3 answered, want 2", n)
		}
	})
	t.Run("the wait never takes more than half of the remaining deadline", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		h.s3.set(func(f *fakeS3) { f.hang = make(chan struct{}) })
		h.clock.Add(time.Minute)
		ctx, cancel := context.WithTimeout(context.Background(), 80*time.Millisecond)
		defer cancel()
		start := time.Now()
		l.Mapper(ctx)
		if took := time.Since(start); took > 60*time.Millisecond {
			t.Errorf("took %v with 80ms left, want about 40ms", took)
		}
	})
	t.Run("a hanging check gives up after the fetch timeout and is retried after the interval", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.opts.RefreshWait = 10 * time.Millisecond
		h.opts.FetchTimeout = 50 * time.Millisecond
		h.s3.put(mappingWith(1))
		l := h.open(t, s3Loc)
		h.s3.set(func(f *fakeS3) { f.hang = make(chan struct{}) })
		h.clock.Add(time.Minute)
		claims(l)
		deadline := time.Now().Add(2 * time.Second)
		for !strings.Contains(h.logs.String(), "mapping check failed") && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		if !strings.Contains(h.logs.String(), "context deadline exceeded") {
			t.Fatalf("the timed-out check is not logged:\n%s", h.logs)
		}
		h.s3.set(func(f *fakeS3) { f.hang = nil })
		h.s3.put(mappingWith(3))
		claims(l) // not due: the interval counts from the failed check's end
		if n := len(h.s3.callList()); n != 2 {
			t.Errorf("%d calls right after the failure, want 2", n)
		}
		h.clock.Add(time.Minute)
		if n := claims(l); n != 3 {
			t.Errorf("claims %d, want 3", n)
		}
	})
}

func TestLoaderIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.s3.put(mappingWith(1))
	l := h.open(t, s3Loc)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				if j%10 == 0 {
					h.s3.put(mappingWith(1 + (i+j)%3))
					h.clock.Add(time.Minute)
				}
				claims(l)
			}
		}()
	}
	wg.Wait()
}
