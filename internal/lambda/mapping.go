package lambda

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
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
}

type inForce struct {
	mp      *mapper.Mapper
	obj     mappingfile.Object // Text dropped: the mapper holds what it needs
	version MappingVersion
}

// newMappings compiles the first text; it fails, having logged every
// finding, when the text is invalid.
func newMappings(ctx context.Context, obj mappingfile.Object, ch changes, compile func(string, []byte) (*mapper.Mapper, error), refresh time.Duration, log *slog.Logger) (*mappings, error) {
	m := &mappings{changes: ch, compile: compile, refresh: refresh, log: log}
	mp, err := compile(obj.Source, obj.Text)
	if err != nil {
		logFindings(ctx, log, err)
		return nil, err
	}
	m.use(ctx, mp, obj, "init")
	return m, nil
}

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
	if obj.SHA256 == cur.obj.SHA256 {
		// Same text under a new ETag (uploaded again): nothing to compile.
		m.cur.Store(&inForce{mp: cur.mp, obj: withoutText(obj), version: newMappingVersion(obj.SHA256, obj.VersionID)})
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
	m.use(ctx, mp, obj, "refresh")
	m.outcome(RefreshUpdated)
}

// use puts mp in force and logs which mapping that is.
func (m *mappings) use(ctx context.Context, mp *mapper.Mapper, obj mappingfile.Object, trigger string) {
	m.cur.Store(&inForce{mp: mp, obj: withoutText(obj), version: newMappingVersion(obj.SHA256, obj.VersionID)})
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
