package mapper

import (
	"context"
	"errors"
	"fmt"
)

// Limits bound what the expressions of one event may do, whatever the
// mapping says: the mapping is untrusted input that runs in every sign-in,
// and expr's own memory budget counts list elements, not bytes, and knows no
// time. Each limit is documented in docs/mapping.md ("Limits").
type Limits struct {
	// Steps is the number of loop steps (an element visited by map, filter,
	// all, reduce, ..., or a comparison made by uniq) one event may take.
	Steps int
	// Bytes is the text and the lists and objects one event's expressions
	// may produce: a text counts its bytes, a list 16 bytes per element, an
	// object 48 per key.
	Bytes int
	// Value is the largest value one expression may return, as the JSON
	// that would carry it.
	Value int
	// Depth is how deeply lists and objects may nest in a value that is
	// measured (a result, or the argument of toJSON, string or flatten).
	Depth int
	// Pattern is the longest pattern `matches` may compile when the event
	// runs (a pattern that is not a quoted text in the mapping).
	Pattern int
	// PatternSize bounds a pattern's size once its repetitions are
	// expanded: `(a{100}){100}` is 10,000.
	PatternSize int
}

// DefaultLimits are the limits every mapping runs under. They sit far above
// what a token can carry (a few kilobytes) and far below what would slow a
// sign-in or exhaust a small function's memory.
var DefaultLimits = Limits{
	Steps:       100_000,
	Bytes:       4 << 20,
	Value:       1 << 20,
	Depth:       100,
	Pattern:     1000,
	PatternSize: 10_000,
}

// LimitError is an expression that went over one of the Limits, or ran out
// of the event's time. Its text names the limit and never a value, so it can
// be logged at any level.
type LimitError struct {
	// Limit is "steps", "bytes", "value", "depth", "pattern" or "time".
	Limit string
	msg   string
}

func (e *LimitError) Error() string { return e.msg }

// limitErr builds a LimitError; the message says what ran over and by how much is allowed.
func limitErr(limit, format string, args ...any) *LimitError {
	return &LimitError{Limit: limit, msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (limit %q)", limit)}
}

// IsLimit reports whether err is, or wraps, a LimitError, and which.
func IsLimit(err error) (string, bool) {
	var le *LimitError
	if errors.As(err, &le) {
		return le.Limit, true
	}
	return "", false
}

// budget is what is left of the Limits for one event. Expressions reach it
// through the hidden variable budgetVar, which the compiler passes to every
// operation that loops or produces text (see budget_patch.go). Once the
// steps are spent they stay spent: the rest of the event's loops fail at
// once, and expressions without loops still run. Bytes taken by an
// expression that failed are given back (release), so the claims after it
// still get what was left before it.
type budget struct {
	lim   *Limits
	steps int // left
	bytes int // left
	done  <-chan struct{}
	ctx   context.Context
	err   error // the steps ran out (it stays), or the bytes (until release)
	late  error // the time ran out: loops stop, the rest still runs
}

// budgetVar is the variable that holds the event's budget. The parser
// accepts $ in names, so lint reserves names that start with it.
const budgetVar = "$budget"

func (b *budget) reset(ctx context.Context, lim *Limits) {
	*b = budget{lim: lim, steps: lim.Steps, bytes: lim.Bytes, ctx: ctx, done: ctx.Done()}
}

// poll reports a cancelled or expired event. Reading a channel costs a few
// nanoseconds, so it runs at every loop step.
func (b *budget) poll() error {
	if b.err != nil {
		return b.err
	}
	if b.late != nil {
		return b.late
	}
	select {
	case <-b.done:
		if errors.Is(b.ctx.Err(), context.DeadlineExceeded) {
			b.late = limitErr("time", "the sign-in ran out of time (the mapping's timeout, or the function's, covers its lookups and expressions together)")
		} else {
			b.late = limitErr("time", "the evaluation was stopped")
		}
		return b.late
	default:
		return nil
	}
}

// step takes n loop steps.
func (b *budget) step(n int) error {
	if err := b.poll(); err != nil {
		return err
	}
	if n > b.steps {
		b.steps = 0
		b.err = limitErr("steps", "the expressions of one sign-in may take at most %d loop steps", b.lim.Steps)
		return b.err
	}
	b.steps -= n
	return nil
}

// alloc takes n bytes, before the operation that produces them runs. It
// does not look at the time: what runs outside loops is bounded by the
// bytes, so once the time is up the cheap claims still come out, and only
// loops, which poll at every step, are cut short.
func (b *budget) alloc(n int) error {
	if b.err != nil {
		return b.err
	}
	if n < 0 || n > b.bytes {
		b.bytes = 0
		b.err = limitErr("bytes", "the expressions of one sign-in may produce at most %s of text, lists and objects", sizeText(b.lim.Bytes))
		return b.err
	}
	b.bytes -= n
	return nil
}

// release gives back the bytes taken by an expression that failed: what it
// made is garbage once its claim is dropped, so one claim over the limit
// does not take the rest of the token with it. Steps are not given back:
// the time they took is spent, and they bound the event's work.
func (b *budget) release(before int) {
	if limit, _ := IsLimit(b.err); limit == "bytes" {
		b.err = nil
	}
	if b.err == nil && before > b.bytes {
		b.bytes = before
	}
}

// sizeText writes a byte count as people read it.
func sizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// checkSize bounds what one expression returns, measured as the JSON that
// would carry it: a list that holds the same list many times is small in
// memory and huge once written, and the response, the trace and V1's text
// all write it. The size is charged to the event's bytes too, so that all
// the values of one event together, and so the response, stay within them.
func (e *evaluation) checkSize(v any) error {
	lim := e.mp.limits
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		// int64 is how every whole number from DynamoDB or a data
		// file arrives: no need to walk it.
		return nil
	case string:
		if 6*len(x)+2 <= lim.Value {
			return e.budget.alloc(jsonTextSize(x))
		}
	}
	m, ok := measure(v, lim.Value, lim)
	switch {
	case ok:
		return e.budget.alloc(m.size)
	case m.deep:
		return limitErr("depth", "lists and objects may nest at most %d levels deep", lim.Depth)
	}
	return limitErr("value", "an expression may return at most %s, written as JSON", sizeText(lim.Value))
}
