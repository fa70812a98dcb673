package lambda

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/signing"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// changes gives a changed mapping text when there is one (a
// *mappingfile.Fetcher).
type changes interface {
	Changed(ctx context.Context) (mappingfile.Object, bool)
}

// mappings holds the mapping in force and replaces it when its text changes
// and the new text is valid. Its methods are safe for concurrent use.
type mappings struct {
	changes changes
	compile func(name string, src []byte) (*mapper.Mapper, error)
	refresh time.Duration // 0 when the mapping is never checked
	log     *slog.Logger

	cur     atomic.Pointer[inForce]
	install sync.Mutex // one compile of a change at a time
	// refreshed counts a check's outcome in the metrics; nil counts nothing.
	refreshed func(outcome string)
	// verify checks an object's signature (CLAIMS_MAPPING_VERIFY_KEY); nil
	// when signatures are not required.
	verify func(mappingfile.Object) (signing.Signature, error)
}

type inForce struct {
	mp      *mapper.Mapper
	obj     mappingfile.Object // Text dropped: the mapper holds what it needs
	version MappingVersion
	// sig is the mapping's verified signature; zero when none is required.
	sig signing.Signature
}

// newMappings compiles the first text; it fails, having logged every
// finding, when the text is invalid.
// With verify set, a text whose signature does not verify is refused
// before it is compiled: the function fails closed.
func newMappings(ctx context.Context, obj mappingfile.Object, ch changes, compile func(string, []byte) (*mapper.Mapper, error), refresh time.Duration, log *slog.Logger,
	verify func(mappingfile.Object) (signing.Signature, error)) (*mappings, error) {
	m := &mappings{changes: ch, compile: compile, refresh: refresh, log: log, verify: verify}
	var sig signing.Signature
	if verify != nil {
		var err error
		if sig, err = verify(obj); err != nil {
			log.LogAttrs(ctx, slog.LevelError, "mapping signature rejected, not serving", slog.String("source", obj.Source),
				slog.String("versionId", obj.VersionID), slog.String("sha256", obj.SHA256), slog.String("error", err.Error()))
			return nil, &SignatureError{Err: err}
		}
	}
	mp, err := compile(obj.Source, obj.Text)
	if err != nil {
		logFindings(ctx, log, err)
		return nil, err
	}
	m.use(ctx, mp, obj, sig, "init")
	return m, nil
}

// SignatureError is a mapping refused for its signature.
type SignatureError struct{ Err error }

func (e *SignatureError) Error() string {
	return "the mapping's signature does not verify: " + e.Err.Error()
}

func (e *SignatureError) Unwrap() error { return e.Err }

// Current returns the mapping in force and its version, having installed a
// change the fetcher returns first when it is valid.
func (m *mappings) Current(ctx context.Context) (*mapper.Mapper, MappingVersion) {
	if m.refresh > 0 {
		// The check's lines (still running, rejected) name the mapping
		// serving meanwhile, as the invocation's other lines do.
		ctx = withMapping(ctx, m.cur.Load().version)
	}
	if obj, ok := m.changes.Changed(ctx); ok {
		m.change(ctx, obj)
	}
	cur := m.cur.Load()
	return cur.mp, cur.version
}

// Mapper is Current without the version.
func (m *mappings) Mapper(ctx context.Context) *mapper.Mapper {
	mp, _ := m.Current(ctx)
	return mp
}

func (m *mappings) outcome(o string) {
	if m.refreshed != nil {
		m.refreshed(o)
	}
}

// change installs obj when it is valid; an invalid one is logged with every
// finding and the mapping in force stays.
func (m *mappings) change(ctx context.Context, obj mappingfile.Object) {
	m.install.Lock()
	defer m.install.Unlock()
	cur := m.cur.Load()
	var sig signing.Signature
	if m.verify != nil {
		var err error
		sig, err = m.verify(obj)
		if err == nil && sig.SignedAt.Before(cur.sig.SignedAt) {
			err = fmt.Errorf("it was signed at %s, before the mapping in force (signed at %s): an earlier signed version put back by someone without the key is refused; to go back, run claimsmapper rollback, which signs the old text anew",
				sig.SignedAt.UTC().Format(time.RFC3339), cur.sig.SignedAt.UTC().Format(time.RFC3339))
		}
		if err != nil {
			m.log.LogAttrs(ctx, slog.LevelError, "mapping rejected, keeping the current mapping",
				slog.String("source", obj.Source), slog.String("versionId", obj.VersionID), slog.String("etag", obj.ETag),
				slog.String("sha256", obj.SHA256), slog.String("activeSha256", cur.obj.SHA256),
				slog.String("error", "signature: "+err.Error()))
			m.outcome(RefreshRejected)
			return
		}
	}
	if obj.SHA256 == cur.obj.SHA256 {
		// Same text under a new ETag (uploaded again): nothing to compile.
		m.cur.Store(&inForce{mp: cur.mp, obj: withoutText(obj), version: newMappingVersion(obj.SHA256, obj.VersionID), sig: sig})
		m.outcome(RefreshUnchanged)
		m.log.LogAttrs(ctx, slog.LevelInfo, "mapping unchanged", slog.String("source", obj.Source),
			slog.String("etag", obj.ETag), slog.String("sha256", obj.SHA256))
		return
	}
	mp, err := m.compile(obj.Source, obj.Text)
	if err != nil {
		logFindings(ctx, m.log, err)
		m.log.LogAttrs(ctx, slog.LevelError, "mapping rejected, keeping the current mapping",
			slog.String("source", obj.Source), slog.String("versionId", obj.VersionID), slog.String("etag", obj.ETag),
			slog.String("sha256", obj.SHA256), slog.String("activeSha256", cur.obj.SHA256),
			slog.String("error", firstLine(err)))
		m.outcome(RefreshRejected)
		return
	}
	m.use(ctx, mp, obj, sig, "refresh")
	m.outcome(RefreshUpdated)
}

// use puts mp in force and logs which mapping that is.
func (m *mappings) use(ctx context.Context, mp *mapper.Mapper, obj mappingfile.Object, sig signing.Signature, trigger string) {
	m.cur.Store(&inForce{mp: mp, obj: withoutText(obj), version: newMappingVersion(obj.SHA256, obj.VersionID), sig: sig})
	attrs := []slog.Attr{slog.String("source", obj.Source), slog.String("trigger", trigger)}
	if obj.VersionID != "" {
		attrs = append(attrs, slog.String("versionId", obj.VersionID))
	}
	if obj.ETag != "" {
		attrs = append(attrs, slog.String("etag", obj.ETag))
	}
	cfg := mp.Mapping()
	attrs = append(attrs, slog.String("sha256", obj.SHA256), slog.Int("claims", len(cfg.Claims)),
		slog.Int("sources", len(cfg.Sources)), slog.Duration("timeout", cfg.Timeout))
	if m.refresh > 0 {
		attrs = append(attrs, slog.Duration("refresh", m.refresh))
	}
	if m.verify != nil {
		attrs = append(attrs, slog.String("signedBy", sig.KeyID), slog.Time("signedAt", sig.SignedAt))
	}
	m.log.LogAttrs(ctx, slog.LevelInfo, "mapping loaded", attrs...)
}

func withoutText(obj mappingfile.Object) mappingfile.Object {
	obj.Text = nil
	return obj
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
