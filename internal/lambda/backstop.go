package lambda

import (
	"context"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// BackstopGrace is how long past its deadline an evaluation may still run
// before the backstop answers without it. The evaluation's deadline is the
// mapping's timeout or the function's less DeadlineMargin, whichever comes
// first, so the backstop answers at the latest DeadlineMargin-BackstopGrace
// (150 ms) before the function's deadline.
const BackstopGrace = 150 * time.Millisecond

// EnvMemorySize is the function's memory in MB, which Lambda sets.
const EnvMemorySize = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"

// The shares of the function's memory the Go runtime may use (its memory
// limit, GOMEMLIMIT: past it the collector works harder rather than let the
// process be killed) and the heap may take before the backstop answers
// without the evaluation that is growing it. The rest is the runtime's own
// (stacks, the collector's metadata) and room for the answer to go out.
const (
	memoryLimitShare  = 7.0 / 8
	heapCeilingShare  = 5.0 / 8
	defaultMemorySize = 128 // MB: Lambda's default, when the setting is absent or unreadable
)

// Memory gives the Go memory limit and the backstop's heap ceiling, in
// bytes, for the function's memory size (AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
func Memory(lookupEnv func(string) (string, bool)) (limit, ceiling uint64) {
	mb := uint64(defaultMemorySize)
	if s, ok := lookupEnv(EnvMemorySize); ok {
		if n, err := strconv.ParseUint(s, 10, 32); err == nil && n > 0 {
			mb = n
		}
	}
	size := mb << 20
	return uint64(float64(size) * memoryLimitShare), uint64(float64(size) * heapCeilingShare)
}

// setMemoryLimit sets the Go runtime's memory limit to match the function's
// memory, unless GOMEMLIMIT says otherwise (the runtime read it already).
func setMemoryLimit(lookupEnv func(string) (string, bool), limit uint64) {
	if _, ok := lookupEnv("GOMEMLIMIT"); ok {
		return
	}
	debug.SetMemoryLimit(int64(limit))
}

// newBackstop returns the backstop of a handler with the given heap ceiling.
func (h *Handler) newBackstop(ceiling uint64) *mapper.Backstop {
	return &mapper.Backstop{Grace: BackstopGrace, Heap: ceiling, Tripped: h.tripped}
}

// tripped logs what the backstop stopped, and marks the process for ending
// once the answer is delivered (serveRuntime). The line names the limit and
// the rule, never a value.
func (h *Handler) tripped(ctx context.Context, s mapper.Stop) {
	h.stopped.Store(true)
	answer := "the unfinished rules are left out"
	if s.Failed {
		answer = "the sign-in fails: an unfinished rule's policy is fail"
	}
	attrs := []slog.Attr{slog.String("limit", s.Limit), slog.String("rule", s.Rule), slog.String("answer", answer),
		slog.Uint64("heapBytes", s.Heap)}
	if h.Backstop != nil && h.Backstop.Heap > 0 {
		attrs = append(attrs, slog.Uint64("heapCeiling", h.Backstop.Heap))
	}
	h.Log.LogAttrs(ctx, slog.LevelError, "evaluation stopped by the backstop", attrs...)
}

// Stopped reports whether the backstop stopped an evaluation (or the
// handler panicked) in this process: it must end once its answer is out.
func (h *Handler) Stopped() bool { return h.stopped.Load() }
