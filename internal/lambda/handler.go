package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// DeadlineMargin is kept free before the function's deadline: lookups stop
// this long before it, so the function still answers (without the claims
// that took too long, or with the mapping's error) instead of being killed.
const DeadlineMargin = 300 * time.Millisecond

// publicError is returned to Cognito, which shows it on the sign-in page,
// for failures that are not the mapping's own (mapper.EventError has its own
// safe text).
const publicError = "could not prepare your sign-in, try again"

// Handler serves Pre Token Generation events with a compiled mapping.
type Handler struct {
	// Mappings gives the mapping in force for each invocation, and its
	// version; it may check S3 for a new one within the invocation's
	// deadline.
	Mappings interface {
		Current(ctx context.Context) (*mapper.Mapper, MappingVersion)
	}
	Log *slog.Logger
	// Metrics receives each invocation's metrics; nil writes none.
	Metrics *Metrics
	// Backstop answers without an evaluation that runs past its deadline
	// or grows the heap past its ceiling; nil sets none. NewHandler sets
	// one from the function's memory size.
	Backstop *mapper.Backstop

	// stopped is set once the backstop stopped an evaluation: the process
	// ends once the answer is delivered.
	stopped atomic.Bool

	// stats holds the *mapper.Stats of invocations: reused, counting
	// allocates nothing once they have room for the mapping's sources.
	stats sync.Pool
}

// Invoke handles one event. It works on raw JSON so that fields claimsmapper
// does not know pass through to Cognito unchanged.
func (h *Handler) Invoke(ctx context.Context, event json.RawMessage) (json.RawMessage, error) {
	start := time.Now()
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-DeadlineMargin))
		defer cancel()
	}
	if h.Backstop != nil {
		ctx = mapper.WithBackstop(ctx, h.Backstop)
	}
	mp, version := h.Mappings.Current(ctx)
	// Every line of this invocation names the mapping that served it.
	ctx = withMapping(ctx, version)
	if h.Log.Enabled(ctx, slog.LevelDebug) {
		h.Log.LogAttrs(ctx, slog.LevelDebug, "event received", slog.Any("event", event))
	}
	stats, _ := h.stats.Get().(*mapper.Stats)
	if stats == nil {
		stats = new(mapper.Stats)
	}
	defer h.stats.Put(stats)
	out, err := mp.HandleStats(ctx, event, stats)
	duration := time.Since(start)
	// A stop ends the process (serveRuntime), so a stopped process means
	// this invocation was stopped.
	h.Metrics.write(invocationFacts{requestID: requestID(ctx), failed: err != nil, stopped: h.Stopped(), duration: duration, stats: stats, mapping: version})
	took := slog.Duration("duration", duration)
	if err != nil {
		var ee *mapper.EventError
		if errors.As(err, &ee) {
			// The cause may quote user data: it goes to the debug level only.
			attrs := []slog.Attr{slog.String("shown", ee.Public), slog.String("rule", ee.Rule), slog.String("reason", ee.Reason), took}
			if le := (*mapper.LimitError)(nil); errors.As(err, &le) {
				attrs = append(attrs, slog.String("limit", le.Limit))
			}
			h.Log.LogAttrs(ctx, slog.LevelError, "event failed", attrs...)
			if h.Log.Enabled(ctx, slog.LevelDebug) {
				h.Log.LogAttrs(ctx, slog.LevelDebug, "event failed", slog.String("rule", ee.Rule), slog.Any("cause", ee.Err))
			}
			return nil, errors.New(ee.Public)
		}
		// The event itself is malformed: the details help the operator, not
		// the person signing in.
		h.Log.LogAttrs(ctx, slog.LevelError, "event rejected", slog.String("error", err.Error()), took)
		return nil, errors.New(publicError)
	}
	if h.Log.Enabled(ctx, slog.LevelDebug) {
		h.Log.LogAttrs(ctx, slog.LevelDebug, "event answered", slog.Any("response", json.RawMessage(out)), took)
	} else {
		h.Log.LogAttrs(ctx, slog.LevelInfo, "event answered", took)
	}
	return out, nil
}
