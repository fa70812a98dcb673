package lambda

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
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

// NewLogger returns a JSON logger on w at level. Every line logged with an
// invocation's context (the handler passes it down to the mapper and the
// stores) carries that invocation's request id.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(requestIDHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// requestIDHandler adds the request id of the record's context, and the
// mapping that serves the invocation (see withMapping).
type requestIDHandler struct{ next slog.Handler }

func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	id, attrs := requestID(ctx), mappingAttrs(ctx)
	if id == "" && attrs == nil {
		return h.next.Handle(ctx, r)
	}
	// One copy per line, whatever it gains.
	r = r.Clone()
	if id != "" {
		r.AddAttrs(slog.String("requestId", id))
	}
	r.AddAttrs(attrs...)
	return h.next.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.next.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.next.WithGroup(name)}
}
