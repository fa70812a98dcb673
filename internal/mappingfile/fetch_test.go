package mappingfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/awsapi"
)

// text returns the n-th version of a mapping's text: the fetcher does not
// read what it fetches.
func text(n int) string { return fmt.Sprintf("version: 1\n# revision %d\n", n) }

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
	// now and most count the calls in progress, and the most at once.
	now, most int
}

func (f *fakeS3) mostAtOnce() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.most
}

func (f *fakeS3) put(text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.text = text
	f.etag = fmt.Sprintf(`"%x"`, SHA256([]byte(text))[:16])
	f.version = fmt.Sprintf("v%d", len(f.calls))
}

func (f *fakeS3) GetObject(ctx context.Context, in awsapi.GetObjectInput) (awsapi.Object, error) {
	f.mu.Lock()
	f.calls = append(f.calls, in.IfNoneMatch)
	hang, err, text, etag, version := f.hang, f.err, f.text, f.etag, f.version
	f.now++
	f.most = max(f.most, f.now)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.now--
		f.mu.Unlock()
	}()
	if hang != nil {
		select {
		case <-hang:
		case <-ctx.Done():
			return awsapi.Object{}, ctx.Err()
		}
	}
	if err != nil {
		return awsapi.Object{}, err
	}
	if in.IfNoneMatch != "" && in.IfNoneMatch == etag {
		return awsapi.Object{}, awsapi.ErrNotModified
	}
	// As the client reads it: at most one byte past the limit.
	if int64(len(text)) > in.Limit+1 {
		text = text[:in.Limit+1]
	}
	return awsapi.Object{Body: []byte(text), ETag: etag, VersionID: version}, nil
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

// harness builds a Fetcher over a fake S3 and records its logs.
type harness struct {
	s3    *fakeS3
	clock *clock
	logs  *syncBuf
	opts  Options
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
		Log:          slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		S3:           func(context.Context) (S3API, error) { return h.s3, nil },
		Now:          h.clock.Now,
		RefreshWait:  time.Second,
		FetchTimeout: 2 * time.Second,
	}
	return h
}

var s3Loc = Location{Kind: S3, Bucket: "maps", Key: "m.yaml", Refresh: time.Minute}

func (h *harness) open(t *testing.T, loc Location) (*Fetcher, Object) {
	t.Helper()
	f, obj, err := Open(context.Background(), loc, h.opts)
	if err != nil {
		t.Fatalf("open: %v\nlogs:\n%s", err, h.logs)
	}
	return f, obj
}

// changed is what an invocation without a deadline gets from f.
func changed(f *Fetcher) string {
	obj, ok := f.Changed(context.Background())
	if !ok {
		return ""
	}
	return string(obj.Text)
}

func TestOpen(t *testing.T) {
	t.Parallel()
	t.Run("an inline mapping is returned with its digest", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		_, obj := h.open(t, Location{Kind: Inline, Text: []byte(text(2))})
		if obj.Source != "CLAIMS_MAPPING" || string(obj.Text) != text(2) || obj.SHA256 != SHA256([]byte(text(2))) || obj.ETag != "" {
			t.Errorf("object %+v", obj)
		}
	})
	t.Run("a file is read from its path", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "mapping.yaml"), []byte(text(3)), 0o644); err != nil {
			t.Fatal(err)
		}
		loc, err := ParseURI("mapping.yaml", root)
		if err != nil {
			t.Fatal(err)
		}
		if _, obj := h.open(t, loc); string(obj.Text) != text(3) || obj.Source != filepath.Join(root, "mapping.yaml") {
			t.Errorf("object %+v", obj)
		}
	})
	t.Run("a missing file fails", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		_, _, err := Open(context.Background(), Location{Kind: File, Path: "/nonexistent/m.yaml"}, h.opts)
		if err == nil || !strings.Contains(err.Error(), "read the mapping: open /nonexistent/m.yaml") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("an s3 object is read with its version and etag", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(text(1))
		_, obj := h.open(t, s3Loc)
		if obj.Source != "s3://maps/m.yaml" || obj.ETag != h.s3.etag || obj.VersionID != "v0" || string(obj.Text) != text(1) {
			t.Errorf("object %+v", obj)
		}
	})
	t.Run("a pinned version is asked for", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(text(1))
		var got string
		h.opts.S3 = func(context.Context) (S3API, error) {
			return getObjectFunc(func(ctx context.Context, in awsapi.GetObjectInput) (awsapi.Object, error) {
				got = in.VersionID
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
		_, _, err := Open(context.Background(), s3Loc, h.opts)
		if err == nil || err.Error() != "read the mapping s3://maps/m.yaml: NoSuchKey: The specified key does not exist" {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("an s3 client that cannot be built fails and says why", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.opts.S3 = func(context.Context) (S3API, error) {
			return nil, errors.New("no AWS region is configured: set AWS_REGION")
		}
		if _, _, err := Open(context.Background(), s3Loc, h.opts); err == nil || !strings.Contains(err.Error(), "set AWS_REGION") {
			t.Errorf("error %v, want the client's", err)
		}
	})
	t.Run("an object over the size limit fails", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(strings.Repeat("#", MaxSize+1))
		if _, _, err := Open(context.Background(), s3Loc, h.opts); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Fatalf("error %v", err)
		}
	})
}

type getObjectFunc func(ctx context.Context, in awsapi.GetObjectInput) (awsapi.Object, error)

func (f getObjectFunc) GetObject(ctx context.Context, in awsapi.GetObjectInput) (awsapi.Object, error) {
	return f(ctx, in)
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	t.Run("nothing is asked before the interval has passed", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		h.clock.Add(59 * time.Second)
		changed(f)
		if calls := h.s3.callList(); len(calls) != 1 {
			t.Errorf("%d calls, want only the initial one", len(calls))
		}
	})
	t.Run("an unchanged object costs one conditional request and returns nothing", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		for range 3 {
			h.clock.Add(time.Minute)
			if got := changed(f); got != "" {
				t.Errorf("an unchanged object returned %q", got)
			}
		}
		calls := h.s3.callList()
		if len(calls) != 4 || calls[1] != h.s3.etag || calls[3] != h.s3.etag {
			t.Errorf("calls (If-None-Match) %q, want the initial one and three with the ETag", calls)
		}
		if !strings.Contains(h.logs.String(), `"msg":"mapping unchanged"`) {
			t.Errorf("the 304 is not logged:\n%s", h.logs)
		}
	})
	t.Run("a changed object is returned to the invocation that checked, once", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		h.s3.put(text(2))
		h.clock.Add(time.Minute)
		obj, ok := f.Changed(context.Background())
		if !ok || string(obj.Text) != text(2) || obj.ETag != h.s3.etag || obj.SHA256 != SHA256([]byte(text(2))) || obj.Source != "s3://maps/m.yaml" {
			t.Fatalf("object %+v, %v; want the new text with its etag and digest", obj, ok)
		}
		if got := changed(f); got != "" {
			t.Errorf("the same change was returned twice")
		}
	})
	t.Run("the next check asks for a change from the last object read, taken or not", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		h.s3.put(text(2)) // say the caller rejects it
		h.clock.Add(time.Minute)
		changed(f)
		h.clock.Add(time.Minute)
		if got := changed(f); got != "" {
			t.Errorf("the rejected object was returned again")
		}
		calls := h.s3.callList()
		if last := calls[len(calls)-1]; last != h.s3.etag {
			t.Errorf("the next check sent If-None-Match %q, want the last ETag read %q", last, h.s3.etag)
		}
		h.s3.put(text(4))
		h.clock.Add(time.Minute)
		if got := changed(f); got != text(4) {
			t.Errorf("got %q after the fix, want it", got)
		}
	})
	t.Run("an s3 error returns nothing and is logged", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		h.s3.set(func(f *fakeS3) { f.err = errors.New("AccessDenied: Access Denied") })
		h.clock.Add(time.Minute)
		if got := changed(f); got != "" {
			t.Fatalf("got %q from a failed check", got)
		}
		if !strings.Contains(h.logs.String(), `"msg":"mapping check failed, keeping the current mapping","source":"s3://maps/m.yaml","error":"AccessDenied: Access Denied"`) {
			t.Errorf("failure not logged:\n%s", h.logs)
		}
		h.s3.set(func(f *fakeS3) { f.err = nil })
		h.s3.put(text(2))
		h.clock.Add(time.Minute)
		if got := changed(f); got != text(2) {
			t.Errorf("got %q after S3 recovered, want the new text", got)
		}
	})
	t.Run("an object grown past the size limit returns nothing and is logged", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		h.s3.put(strings.Repeat("#", MaxSize+1))
		h.clock.Add(time.Minute)
		if got := changed(f); got != "" {
			t.Fatalf("got %d bytes from an object past the limit", len(got))
		}
		if !strings.Contains(h.logs.String(), `"msg":"mapping check failed, keeping the current mapping"`) ||
			!strings.Contains(h.logs.String(), "s3://maps/m.yaml is larger than") {
			t.Errorf("the oversized object is not logged as a failed check:\n%s", h.logs)
		}
	})
	t.Run("inline and file mappings are never checked", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		f, _ := h.open(t, Location{Kind: Inline, Text: []byte(text(1))})
		h.clock.Add(time.Hour)
		if got := changed(f); got != "" {
			t.Errorf("an inline mapping changed to %q", got)
		}
	})
}

func TestRefreshNeverHoldsAnInvocation(t *testing.T) {
	t.Parallel()
	t.Run("a hanging s3 costs at most the wait, once, and a later invocation gets the change", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.opts.RefreshWait = 100 * time.Millisecond
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		release := make(chan struct{})
		h.s3.set(func(f *fakeS3) { f.hang = release })
		h.s3.put(text(2))
		h.clock.Add(time.Minute)

		// The invocation that starts the check gives up on it after the
		// wait, which it logs, and gets nothing.
		if got := changed(f); got != "" {
			t.Errorf("got %q while the check hangs, want nothing", got)
		}
		if n := strings.Count(h.logs.String(), "mapping check still running"); n != 1 {
			t.Errorf("the invocation did not give up after the wait (%d lines):\n%s", n, h.logs)
		}
		// The check is still in flight: a later invocation neither waits
		// (it would log giving up again) nor starts another.
		h.clock.Add(time.Hour)
		changed(f)
		if n := strings.Count(h.logs.String(), "mapping check still running"); n != 1 {
			t.Errorf("a later invocation waited for the check in flight:\n%s", h.logs)
		}
		if n := len(h.s3.callList()); n != 2 {
			t.Errorf("%d calls, want 2 (no second check while one is in flight)", n)
		}
		// S3 answers: the check completes in the background.
		h.s3.set(func(f *fakeS3) { f.hang = nil })
		close(release)
		settled(t, f)
		if got := changed(f); got != text(2) {
			t.Errorf("got %q after S3 answered, want the new text", got)
		}
	})
	t.Run("the wait never takes more than half of the remaining deadline", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		// Long enough that no stall of a loaded machine between taking the
		// deadline and asking for the bound can use half of it up.
		h.opts.RefreshWait = time.Hour
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if wait := f.waitBound(ctx); wait > time.Minute || wait <= 0 {
			t.Errorf("waits %v with 2m left, want at most half of it", wait)
		}
		if wait := f.waitBound(context.Background()); wait != h.opts.RefreshWait {
			t.Errorf("waits %v without a deadline, want RefreshWait %v", wait, h.opts.RefreshWait)
		}
	})
	t.Run("a hanging check gives up after the fetch timeout and is retried after the interval", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t)
		h.opts.RefreshWait = 10 * time.Millisecond
		h.opts.FetchTimeout = 50 * time.Millisecond
		h.s3.put(text(1))
		f, _ := h.open(t, s3Loc)
		h.s3.set(func(f *fakeS3) { f.hang = make(chan struct{}) })
		h.clock.Add(time.Minute)
		changed(f)
		settled(t, f)
		if !strings.Contains(h.logs.String(), "context deadline exceeded") {
			t.Fatalf("the timed-out check is not logged:\n%s", h.logs)
		}
		h.s3.set(func(f *fakeS3) { f.hang = nil })
		h.s3.put(text(3))
		changed(f) // not due: the interval counts from the failed check's end
		if n := len(h.s3.callList()); n != 2 {
			t.Errorf("%d calls right after the failure, want 2", n)
		}
		h.clock.Add(time.Minute)
		if got := changed(f); got != text(3) {
			t.Errorf("got %q, want the new text", got)
		}
	})
}

// TestFetcherIsSafeForConcurrentUse runs invocations at once while the
// object changes. Under -race (.ci/run) it proves the locking; under any
// run it proves what concurrent callers may rely on: one check at a time,
// every object whole (its digest that of its text), and a fetcher that
// still sees the next change once they are done.
func TestFetcherIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.s3.put(text(1))
	f, _ := h.open(t, s3Loc)
	var wg sync.WaitGroup
	errs := make(chan string, 8*50)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				if j%10 == 0 {
					h.s3.put(text(1 + (i+j)%3))
					h.clock.Add(time.Minute)
				}
				obj, ok := f.Changed(context.Background())
				switch {
				case !ok:
				case !slices.Contains([]string{text(1), text(2), text(3)}, string(obj.Text)):
					errs <- fmt.Sprintf("got a text never put: %q", obj.Text)
				case obj.SHA256 != SHA256(obj.Text):
					errs <- fmt.Sprintf("the digest %s is not that of the text %q", obj.SHA256, obj.Text)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := h.s3.mostAtOnce(); n != 1 {
		t.Errorf("%d checks ran at once, want one at a time", n)
	}
	settled(t, f)
	h.s3.put(text(9))
	h.clock.Add(time.Minute)
	got := changed(f)
	if got == "" { // the check outlasted RefreshWait on a busy machine
		settled(t, f)
		got = changed(f)
	}
	if got != text(9) {
		t.Errorf("after concurrent use the fetcher got %q, want the next change", got)
	}
}

// settled waits for the check in flight, if any, to end: the event the
// background check's callers would otherwise poll for.
func settled(t *testing.T, f *Fetcher) {
	t.Helper()
	f.mu.Lock()
	done := f.inflight
	f.mu.Unlock()
	if done == nil {
		return
	}
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("the check in flight never ended")
	}
}

func TestCheckedHearsHowEachCheckEnded(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	var mu sync.Mutex
	var got []string
	h.opts.Checked = func(err error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprint(err))
	}
	h.s3.put(text(1))
	f, _ := h.open(t, s3Loc)
	h.clock.Add(time.Minute)
	changed(f) // not modified
	h.s3.set(func(f *fakeS3) { f.err = errors.New("SlowDown") })
	h.clock.Add(time.Minute)
	changed(f) // an error
	h.s3.set(func(f *fakeS3) { f.err = nil })
	h.s3.put(text(2))
	h.clock.Add(time.Minute)
	changed(f) // read: the caller decides, Checked is not called
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"<nil>", "SlowDown"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Checked heard %q, want %q", got, want)
	}
}

// invocationKey marks an invocation's context in TestCheckLogsWithTheInvocationsContext.
type invocationKey struct{}

// ctxValues records the invocationKey value of each record's context.
type ctxValues struct {
	mu   sync.Mutex
	seen []any
}

func (c *ctxValues) Enabled(context.Context, slog.Level) bool { return true }
func (c *ctxValues) Handle(ctx context.Context, _ slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen = append(c.seen, ctx.Value(invocationKey{}))
	return nil
}
func (c *ctxValues) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *ctxValues) WithGroup(string) slog.Handler      { return c }

// TestCheckLogsWithTheInvocationsContext: a check's log lines carry what the
// context of the invocation that started it carries (the Lambda's request
// id).
func TestCheckLogsWithTheInvocationsContext(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	values := &ctxValues{}
	h.opts.Log = slog.New(values)
	h.s3.put(text(1))
	f, _ := h.open(t, s3Loc)
	h.s3.set(func(f *fakeS3) { f.err = errors.New("AccessDenied: Access Denied") })
	h.clock.Add(time.Minute)
	f.Changed(context.WithValue(context.Background(), invocationKey{}, "req-8"))
	values.mu.Lock()
	defer values.mu.Unlock()
	if len(values.seen) == 0 || values.seen[len(values.seen)-1] != "req-8" {
		t.Errorf("the failed check was logged with %v, want the invocation's req-8", values.seen)
	}
}

func TestCheckOutlivesTheInvocation(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.s3.put(text(1))
	f, _ := h.open(t, s3Loc)
	h.s3.put(text(2))
	h.clock.Add(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the invocation that starts the check has already ended
	f.Changed(ctx)
	settled(t, f)
	if got, _ := f.Changed(context.Background()); string(got.Text) != text(2) {
		t.Errorf("got %q, want the change the check read after its invocation ended", got.Text)
	}
}

// Get is the one reader of mapping objects (the fetcher and publish), and
// its callers tell "unchanged" from a failure by awsapi.ErrNotModified
// itself: there is no second name for it.
func TestGetPassesAnUnchangedObjectThroughAsErrNotModified(t *testing.T) {
	t.Parallel()
	s3 := &fakeS3{}
	s3.put(text(1))
	loc := Location{Kind: S3, Bucket: "maps", Key: "m.yaml"}
	obj, err := Get(context.Background(), s3, loc, "")
	if err != nil || string(obj.Text) != text(1) {
		t.Fatalf("Get = %q, %v; want the text", obj.Text, err)
	}
	if _, err := Get(context.Background(), s3, loc, obj.ETag); !errors.Is(err, awsapi.ErrNotModified) {
		t.Errorf("Get with the current ETag = %v, want awsapi.ErrNotModified", err)
	}
	s3.put(text(2))
	if obj, err := Get(context.Background(), s3, loc, obj.ETag); err != nil || string(obj.Text) != text(2) {
		t.Errorf("Get after a change = %q, %v; want the new text", obj.Text, err)
	}
}
