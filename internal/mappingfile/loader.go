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
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
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

// Options are what a Loader needs besides the location.
type Options struct {
	// Compile validates and compiles a mapping's text; name is the name
	// findings are reported against. A *config.Error lists every finding.
	Compile func(name string, src []byte) (*mapper.Mapper, error)
	// Log receives the load, reject and refresh-failure lines.
	Log *slog.Logger
	// S3 builds the S3 client, once, for s3:// locations; nil means
	// NewS3Client.
	S3 func(ctx context.Context) (S3API, error)
	// RefreshWait bounds how long an invocation waits for a check it started
	// (default DefaultRefreshWait).
	RefreshWait time.Duration
	// FetchTimeout bounds one read of the object (default DefaultFetchTimeout).
	FetchTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Info describes the mapping in force.
type Info struct {
	// Source is the location's name (CLAIMS_MAPPING, a path or an s3:// URI).
	Source string
	// VersionID and ETag identify the S3 object read; empty otherwise.
	VersionID, ETag string
	// SHA256 is the hex digest of the mapping's text.
	SHA256 string
	// Claims is the number of claims the mapping defines.
	Claims int
}

type active struct {
	mp   *mapper.Mapper
	info Info
}

// Loader holds the mapping in force and, for S3 with a refresh interval,
// replaces it when the object changes. Its methods are safe for concurrent
// use.
type Loader struct {
	loc    Location
	opts   Options
	client S3API
	cur    atomic.Pointer[active]

	mu        sync.Mutex
	nextCheck time.Time
	inflight  chan struct{} // closed when the check in flight ends; nil when none
	// seenETag is the ETag of the last object read, good or rejected: the
	// next check asks for a change from it, so a rejected object is not
	// fetched and logged again until it changes.
	seenETag string
}

// Open reads, validates and compiles the mapping at loc. It fails when the
// mapping cannot be read or is invalid, having logged every finding.
func Open(ctx context.Context, loc Location, opts Options) (*Loader, error) {
	if opts.Compile == nil {
		return nil, errors.New("mappingfile: Options.Compile is required")
	}
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
	l := &Loader{loc: loc, opts: opts}
	var obj object
	switch loc.Kind {
	case Inline:
		obj.text = loc.Text
	case File:
		text, err := readFile(loc.Path)
		if err != nil {
			return nil, err
		}
		obj.text = text
	case S3:
		newClient := opts.S3
		if newClient == nil {
			newClient = func(ctx context.Context) (S3API, error) { return NewS3Client(ctx) }
		}
		client, err := newClient(ctx)
		if err != nil {
			return nil, err
		}
		l.client = client
		fctx, cancel := context.WithTimeout(ctx, opts.FetchTimeout)
		defer cancel()
		obj, err = getObject(fctx, client, loc, "")
		if err != nil {
			return nil, fmt.Errorf("read the mapping %s: %w", loc, err)
		}
		l.seenETag = obj.etag
	default:
		return nil, fmt.Errorf("mappingfile: unknown location kind %d", loc.Kind)
	}
	a, err := l.compile(obj)
	if err != nil {
		return nil, err
	}
	l.cur.Store(a)
	l.logLoaded(ctx, a.info, "init")
	if loc.Refresh > 0 {
		l.nextCheck = opts.Now().Add(loc.Refresh)
	}
	return l, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read the mapping: %w", err)
	}
	defer f.Close()
	text, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("read the mapping %s: %w", path, err)
	}
	if len(text) > MaxSize {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a mapping", path, MaxSize)
	}
	return text, nil
}

// Mapper returns the mapping in force. When a check is due, it starts one
// and waits for it at most RefreshWait, or half of what remains before
// ctx's deadline if that is less (see the package doc).
func (l *Loader) Mapper(ctx context.Context) *mapper.Mapper {
	if l.loc.Refresh > 0 {
		l.maybeRefresh(ctx)
	}
	return l.cur.Load().mp
}

// Active describes the mapping in force.
func (l *Loader) Active() Info { return l.cur.Load().info }

// Location is where the mapping comes from.
func (l *Loader) Location() Location { return l.loc }

func (l *Loader) maybeRefresh(ctx context.Context) {
	l.mu.Lock()
	if l.inflight != nil || l.opts.Now().Before(l.nextCheck) {
		l.mu.Unlock()
		return
	}
	done := make(chan struct{})
	l.inflight = done
	etag := l.seenETag
	l.mu.Unlock()

	go func() {
		seen := l.refresh(etag)
		l.mu.Lock()
		if seen != "" {
			l.seenETag = seen
		}
		// Counted from the end of the check: a slow S3 is not asked more
		// often than the interval.
		l.nextCheck = l.opts.Now().Add(l.loc.Refresh)
		l.inflight = nil
		l.mu.Unlock()
		close(done)
	}()

	wait := l.opts.RefreshWait
	if dl, ok := ctx.Deadline(); ok {
		if half := time.Until(dl) / 2; half < wait {
			wait = half
		}
	}
	if wait <= 0 {
		return
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		l.opts.Log.LogAttrs(ctx, slog.LevelWarn, "mapping check still running, serving the current mapping",
			slog.String("source", l.loc.String()), slog.Duration("waited", wait))
	case <-ctx.Done():
	}
}

// refresh checks the object once and installs it when it changed and is
// valid. It returns the ETag of the object it read ("" when it read none).
func (l *Loader) refresh(ifNoneMatch string) string {
	// Not the invocation's context: the check may outlive the invocation
	// that started it.
	ctx, cancel := context.WithTimeout(context.Background(), l.opts.FetchTimeout)
	defer cancel()
	cur := l.cur.Load()
	obj, err := getObject(ctx, l.client, l.loc, ifNoneMatch)
	if errors.Is(err, errNotModified) {
		l.opts.Log.LogAttrs(ctx, slog.LevelDebug, "mapping unchanged", slog.String("source", l.loc.String()), slog.String("etag", ifNoneMatch))
		return ""
	}
	if err != nil {
		l.opts.Log.LogAttrs(ctx, slog.LevelError, "mapping check failed, keeping the current mapping",
			slog.String("source", l.loc.String()), slog.String("error", err.Error()),
			slog.String("activeSha256", cur.info.SHA256))
		return ""
	}
	if digest(obj.text) == cur.info.SHA256 {
		// Same text under a new ETag (uploaded again): nothing to compile.
		info := cur.info
		info.ETag, info.VersionID = obj.etag, obj.versionID
		l.cur.Store(&active{mp: cur.mp, info: info})
		l.opts.Log.LogAttrs(ctx, slog.LevelInfo, "mapping unchanged", slog.String("source", l.loc.String()),
			slog.String("etag", obj.etag), slog.String("sha256", info.SHA256))
		return obj.etag
	}
	a, err := l.compile(obj)
	if err != nil {
		l.opts.Log.LogAttrs(ctx, slog.LevelError, "mapping rejected, keeping the current mapping",
			slog.String("source", l.loc.String()), slog.String("versionId", obj.versionID), slog.String("etag", obj.etag),
			slog.String("sha256", digest(obj.text)), slog.String("activeSha256", cur.info.SHA256),
			slog.String("error", firstLine(err)))
		return obj.etag
	}
	l.cur.Store(a)
	l.logLoaded(ctx, a.info, "refresh")
	return obj.etag
}

// compile validates and compiles obj, logging every finding when it is
// invalid.
func (l *Loader) compile(obj object) (*active, error) {
	name := l.loc.String()
	mp, err := l.opts.Compile(name, obj.text)
	if err != nil {
		LogFindings(l.opts.Log, err)
		return nil, err
	}
	return &active{mp: mp, info: Info{
		Source: name, VersionID: obj.versionID, ETag: obj.etag,
		SHA256: digest(obj.text), Claims: len(mp.Mapping().Claims),
	}}, nil
}

func (l *Loader) logLoaded(ctx context.Context, info Info, trigger string) {
	attrs := []slog.Attr{slog.String("source", info.Source), slog.String("trigger", trigger)}
	if info.VersionID != "" {
		attrs = append(attrs, slog.String("versionId", info.VersionID))
	}
	if info.ETag != "" {
		attrs = append(attrs, slog.String("etag", info.ETag))
	}
	m := l.cur.Load().mp.Mapping()
	attrs = append(attrs, slog.String("sha256", info.SHA256), slog.Int("claims", info.Claims),
		slog.Int("sources", len(m.Sources)), slog.Duration("timeout", m.Timeout))
	if l.loc.Refresh > 0 {
		attrs = append(attrs, slog.Duration("refresh", l.loc.Refresh))
	}
	l.opts.Log.LogAttrs(ctx, slog.LevelInfo, "mapping loaded", attrs...)
}

// LogFindings logs a mapping's findings one line each, so the log says all
// that is wrong at once; any other error is logged as it is.
func LogFindings(log *slog.Logger, err error) {
	var ce *config.Error
	if !errors.As(err, &ce) {
		log.LogAttrs(context.Background(), slog.LevelError, "cannot load the mapping", slog.String("error", err.Error()))
		return
	}
	for _, f := range ce.Findings {
		attrs := []slog.Attr{slog.String("finding", f.String()), slog.String("severity", f.Severity.String())}
		if f.Snippet != "" {
			attrs = append(attrs, slog.String("snippet", f.Snippet))
		}
		log.LogAttrs(context.Background(), slog.LevelError, "invalid mapping", attrs...)
	}
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
