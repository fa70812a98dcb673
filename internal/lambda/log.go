package lambda

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// EnvLogLevel is the variable naming the log level: debug, info, warn or error.
const EnvLogLevel = "LOG_LEVEL"

// ParseLevel reads a LOG_LEVEL value; "" means info.
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if strings.TrimSpace(s) == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return slog.LevelInfo, fmt.Errorf("%s=%q: want debug, info, warn or error", EnvLogLevel, s)
	}
	return l, nil
}

// NewLogger returns a JSON logger on w at level, whose every line carries the
// request id of the invocation being served.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(&requestIDHandler{next: slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}), current: new(atomic.Pointer[string])})
}

// requestIDHandler adds the request id to every record. It takes the id from
// the record's context; records logged with a context that lacks it (mapper
// logs rule warnings without one) get the id of the invocation in progress,
// which is unambiguous because a Lambda instance serves one event at a time.
type requestIDHandler struct {
	next    slog.Handler
	current *atomic.Pointer[string]
}

func (h *requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	id := ""
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		id = lc.AwsRequestID
	} else if p := h.current.Load(); p != nil {
		id = *p
	}
	if id != "" {
		r = r.Clone()
		r.AddAttrs(slog.String("requestId", id))
	}
	return h.next.Handle(ctx, r)
}

func (h *requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &requestIDHandler{next: h.next.WithAttrs(as), current: h.current}
}

func (h *requestIDHandler) WithGroup(name string) slog.Handler {
	return &requestIDHandler{next: h.next.WithGroup(name), current: h.current}
}

// setCurrent records the invocation in progress for records without a
// context; it returns a func that clears it.
func setCurrent(log *slog.Logger, id string) func() {
	h, ok := log.Handler().(*requestIDHandler)
	if !ok {
		return func() {}
	}
	h.current.Store(&id)
	return func() { h.current.Store(nil) }
}
