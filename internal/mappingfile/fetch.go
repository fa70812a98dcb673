package mappingfile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/awsapi"
)

// MaxSize bounds the mapping's text: a mapping is a few kilobytes, and a
// wrong key must not make the function read a large object into memory. It
// is the limit the mapping's loader (and so lint) applies.
const MaxSize = config.MaxSize

// Defaults for Options.
const (
	// DefaultRefreshWait is how long an invocation waits for a check it
	// started; past it, the check goes on while the current mapping serves.
	DefaultRefreshWait = 250 * time.Millisecond
	// DefaultFetchTimeout bounds one read of the object, retries included.
	DefaultFetchTimeout = 4 * time.Second
)

// Options are what a Fetcher needs besides the location.
type Options struct {
	// Log receives the check lines: unchanged, failed, still running.
	Log *slog.Logger
	// S3 builds the S3 client, once, for s3:// locations only; nil means
	// NewS3Client with the configuration in the environment.
	S3 func(ctx context.Context) (S3API, error)
	// RefreshWait bounds how long an invocation waits for a check it started
	// (default DefaultRefreshWait).
	RefreshWait time.Duration
	// FetchTimeout bounds one read of the object (default DefaultFetchTimeout).
	FetchTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Checked, when set, is told how each check that read no object ended:
	// err is nil when S3 said the object is unchanged, and the read's error
	// otherwise. It runs in the check's goroutine.
	Checked func(err error)
}

// Object is one read of the mapping: its text and what identifies it.
type Object struct {
	Text []byte
	// Source is the location's name (CLAIMS_MAPPING, a path or an s3:// URI);
	// findings are reported against it.
	Source string
	// VersionID and ETag identify the S3 object read; empty otherwise.
	VersionID, ETag string
	// SHA256 is the hex digest of Text.
	SHA256 string
	// Metadata is the S3 object's user metadata (x-amz-meta-…, keys in
	// lower case), which publish records a version's author and message in.
	Metadata map[string]string
}

// Fetcher reads the mapping's text from its location and, for S3 with a
// refresh interval, reads it again when the object changes. Its methods are
// safe for concurrent use.
type Fetcher struct {
	loc    Location
	opts   Options
	client S3API

	mu        sync.Mutex
	nextCheck time.Time
	inflight  chan struct{} // closed when the check in flight ends; nil when none
	// seenETag is the ETag of the last object read: the next check asks for
	// a change from it, so an object the caller rejected is not fetched
	// again until it changes.
	seenETag string
	// changed is an object a check read and no invocation has taken yet.
	changed *Object
}

// Open reads the mapping at loc. It fails when the mapping cannot be read.
func Open(ctx context.Context, loc Location, opts Options) (*Fetcher, Object, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.RefreshWait <= 0 {
		opts.RefreshWait = DefaultRefreshWait
	}
	if opts.FetchTimeout <= 0 {
		opts.FetchTimeout = DefaultFetchTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	f := &Fetcher{loc: loc, opts: opts}
	var obj Object
	switch loc.Kind {
	case Inline:
		obj.Text = loc.Text
	case File:
		text, err := readFile(loc.Path)
		if err != nil {
			return nil, Object{}, err
		}
		obj.Text = text
	case S3:
		newClient := opts.S3
		if newClient == nil {
			newClient = func(context.Context) (S3API, error) {
				cfg, err := awsapi.FromEnv(os.LookupEnv)
				if err != nil {
					return nil, err
				}
				return NewS3Client(cfg), nil
			}
		}
		client, err := newClient(ctx)
		if err != nil {
			return nil, Object{}, err
		}
		f.client = client
		fctx, cancel := context.WithTimeout(ctx, opts.FetchTimeout)
		defer cancel()
		obj, err = Get(fctx, client, loc, "")
		if err != nil {
			return nil, Object{}, fmt.Errorf("read the mapping %s: %w", loc, err)
		}
		f.seenETag = obj.ETag
	default:
		return nil, Object{}, fmt.Errorf("mappingfile: unknown location kind %d", loc.Kind)
	}
	obj.Source, obj.SHA256 = loc.String(), SHA256(obj.Text)
	if loc.Refresh > 0 {
		f.nextCheck = opts.Now().Add(loc.Refresh)
	}
	return f, obj, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the mapping: %w", err)
	}
	defer f.Close()
	return ReadText(f, path)
}

// ReadText reads a mapping's text from r, named name in messages. It fails
// past MaxSize: a wrong key or path must not make the caller read a large
// object into memory.
func ReadText(r io.Reader, name string) ([]byte, error) {
	text, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(text) > MaxSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a mapping", name, MaxSize)
	}
	return text, nil
}

// Changed returns the object when a check has read a new one since the last
// call, and false otherwise. When a check is due, it starts one and waits
// for it at most RefreshWait, or half of what remains before ctx's deadline
// if that is less (see the package doc). The object is the caller's to
// validate: a rejected one is not returned again until it changes.
func (f *Fetcher) Changed(ctx context.Context) (Object, bool) {
	if f.loc.Refresh <= 0 {
		return Object{}, false
	}
	if done := f.startCheck(ctx); done != nil {
		f.wait(ctx, done)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.changed == nil {
		return Object{}, false
	}
	obj := *f.changed
	f.changed = nil
	return obj, true
}

// startCheck starts a check when one is due and none is in flight, and
// returns the channel closed when it ends; nil when it started none.
func (f *Fetcher) startCheck(ctx context.Context) chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.inflight != nil || f.opts.Now().Before(f.nextCheck) {
		return nil
	}
	done := make(chan struct{})
	f.inflight = done
	etag := f.seenETag
	go func() {
		obj, ok := f.check(ctx, etag)
		f.mu.Lock()
		if ok {
			f.seenETag = obj.ETag
			f.changed = &obj
		}
		// Counted from the end of the check: a slow S3 is not asked more
		// often than the interval.
		f.nextCheck = f.opts.Now().Add(f.loc.Refresh)
		f.inflight = nil
		f.mu.Unlock()
		close(done)
	}()
	return done
}

// waitBound is how long an invocation waits for a check it started:
// RefreshWait, or half of what remains before ctx's deadline if that is
// less.
func (f *Fetcher) waitBound(ctx context.Context) time.Duration {
	wait := f.opts.RefreshWait
	if dl, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(dl)/2)
	}
	return wait
}

func (f *Fetcher) wait(ctx context.Context, done <-chan struct{}) {
	wait := f.waitBound(ctx)
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		f.opts.Log.LogAttrs(ctx, slog.LevelWarn, "mapping check still running, serving the current mapping",
			slog.String("source", f.loc.String()), slog.Duration("waited", wait))
	case <-ctx.Done():
	}
}

// check reads the object once, asking S3 for a change from ifNoneMatch. It
// reports whether it read one. ctx is the invocation's that started it:
// its lines carry what ctx carries (the request id), but neither its
// deadline nor its end stop the check, which may outlive it.
func (f *Fetcher) check(ctx context.Context, ifNoneMatch string) (Object, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), f.opts.FetchTimeout)
	defer cancel()
	obj, err := Get(ctx, f.client, f.loc, ifNoneMatch)
	if errors.Is(err, awsapi.ErrNotModified) {
		f.opts.Log.LogAttrs(ctx, slog.LevelDebug, "mapping unchanged", slog.String("source", f.loc.String()), slog.String("etag", ifNoneMatch))
		f.checked(nil)
		return Object{}, false
	}
	if err != nil {
		f.opts.Log.LogAttrs(ctx, slog.LevelError, "mapping check failed, keeping the current mapping",
			slog.String("source", f.loc.String()), slog.String("error", err.Error()))
		f.checked(err)
		return Object{}, false
	}
	obj.Source, obj.SHA256 = f.loc.String(), SHA256(obj.Text)
	return obj, true
}

func (f *Fetcher) checked(err error) {
	if f.opts.Checked != nil {
		f.opts.Checked(err)
	}
}

// SHA256 is the hex digest that names a mapping's text: the function logs
// it for the mapping in force, and publish records it on each version.
func SHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
