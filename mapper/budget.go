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
	// Work is the work one event's expressions may do together, in units
	// of about one loop step: every operation whose cost grows with its
	// inputs is charged before it runs (cost.go lists them all), an element
	// visited or compared for one unit, a small number of bytes scanned or
	// produced for another.
	Work int
	// ExprWork is what one expression (a claim's value or its when, a
	// source's key, ...) may take of it: an expression over its share fails
	// alone, and the ones after it still get what is left of Work.
	ExprWork int
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

// withDefaults is l with each limit left at zero set to its default.
func (l Limits) withDefaults() Limits {
	d := defaultLimits
	for _, p := range []struct{ v, def *int }{{&l.Work, &d.Work}, {&l.ExprWork, &d.ExprWork}, {&l.Bytes, &d.Bytes},
		{&l.Value, &d.Value}, {&l.Depth, &d.Depth}, {&l.Pattern, &d.Pattern}, {&l.PatternSize, &d.PatternSize}} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	return l
}

// defaultLimits are the limits every mapping runs under unless
// LoadOptions.Limits sets others. They sit far above
// what a token can carry (a few kilobytes) and far below what would slow a
// sign-in or exhaust a small function's memory: the work of one event is
// measured (cost_honesty_test.go) to take well under a second.
var defaultLimits = Limits{
	Work:        2_000_000,
	ExprWork:    250_000,
	Bytes:       4 << 20,
	Value:       1 << 20,
	Depth:       100,
	Pattern:     1000,
	PatternSize: 10_000,
}

// graceWork is what the rest of an event may still do once its time is up:
// enough for the claims that copy a value or join two texts, not for
// anything that loops or scans.
const graceWork = 10_000

// LimitError is an expression that went over one of the Limits, or ran out
// of the event's time. Its text names the limit and never a value, so it can
// be logged at any level.
type LimitError struct {
	// Limit is "work", "bytes", "value", "depth", "pattern" or "time".
	Limit string
	msg   string
}

func (e *LimitError) Error() string { return e.msg }

// limitErr builds a LimitError; the message says what ran over and by how much is allowed.
func limitErr(limit, format string, args ...any) *LimitError {
	return &LimitError{Limit: limit, msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (limit %q)", limit)}
}

// isLimit reports whether err is, or wraps, a LimitError, and which.
func isLimit(err error) (string, bool) {
	var le *LimitError
	if errors.As(err, &le) {
		return le.Limit, true
	}
	return "", false
}

// budget is what is left of the Limits for one event. Expressions reach it
// through the hidden variable budgetVar, which the compiler passes to every
// operation whose cost grows with its inputs (see budget_patch.go and
// cost.go). Each expression runs with a share of the event's work (begin,
// end); work spent stays spent, so a claim that fails does not let the
// next one redo its work for free. Bytes taken by an expression that failed
// are given back (release): what it made is garbage.
type budget struct {
	lim   *Limits
	work  int // left for the running expression
	start int // the running expression's share
	event int // left for the event when the running expression began
	bytes int // left
	made  int // bytes charged in all, given back or not (for the measurements)
	// patterns are the mapping's quoted patterns, compiled when it loaded.
	patterns map[string]*pattern
	done     <-chan struct{}
	ctx      context.Context
	err      error // the bytes ran out (until release)
	late     error // the time ran out: loops stop, the rest has graceWork
}

// budgetVar is the variable that holds the event's budget. The parser
// accepts $ in names, so lint reserves names that start with it.
const budgetVar = "$budget"

func (b *budget) reset(ctx context.Context, lim *Limits, patterns map[string]*pattern) {
	*b = budget{lim: lim, event: lim.Work, bytes: lim.Bytes, ctx: ctx, done: ctx.Done(), patterns: patterns}
}

// begin gives the expression about to run its share of what is left. The
// time is looked at by the first charge: an expression that charges
// nothing needs none.
func (b *budget) begin() {
	b.start = min(b.lim.ExprWork, b.event)
	b.work = b.start
}

// end takes what the expression did from the event's work.
func (b *budget) end() {
	b.event -= b.start - b.work
	b.start, b.work = 0, 0
}

// expired reports whether the event's time is up, noting it the first time:
// from then on the event has graceWork left.
func (b *budget) expired() bool {
	if b.late != nil {
		return true
	}
	select {
	case <-b.done:
		if errors.Is(b.ctx.Err(), context.DeadlineExceeded) {
			b.late = limitErr("time", "the sign-in ran out of time (the mapping's timeout, or the function's, covers its lookups and expressions together)")
		} else {
			b.late = limitErr("time", "the evaluation was stopped")
		}
		rest := min(b.event-(b.start-b.work), graceWork)
		b.work = min(b.work, rest)
		b.start, b.event = b.work, rest
		return true
	default:
		return false
	}
}

// poll is a loop's check at every step: once the time is up, loops stop.
func (b *budget) poll() error {
	if b.expired() {
		return b.late
	}
	return nil
}

// charge takes n units of work before the operation that does them runs,
// and looks at the time.
func (b *budget) charge(n int) error {
	late := b.expired()
	if n >= 0 && n <= b.work {
		b.work -= n
		return nil
	}
	b.work = 0
	switch {
	case late:
		return b.late
	case b.start < b.lim.ExprWork:
		return limitErr("work", "the expressions of one sign-in may do at most %d units of work together, and the ones before this used most of it", b.lim.Work)
	}
	return limitErr("work", "one expression may do at most %d units of work (a unit is about one element visited or %d bytes handled)", b.lim.ExprWork, bytesPerUnit)
}

// alloc takes n bytes, before the operation that produces them runs, and
// the work of producing them.
func (b *budget) alloc(n int) error {
	if b.err != nil {
		return b.err
	}
	if n < 0 || n > b.bytes {
		b.bytes = 0
		b.err = limitErr("bytes", "the expressions of one sign-in may produce at most %s of text, lists and objects", sizeText(b.lim.Bytes))
		return b.err
	}
	if err := b.charge(n / bytesPerUnit); err != nil {
		return err
	}
	b.bytes -= n
	b.made += n
	return nil
}

// release gives back the bytes taken by an expression that failed: what it
// made is garbage once its claim is dropped, so one claim over the limit
// does not take the rest of the token with it. Work is not given back: the
// time it took is spent.
func (b *budget) release(before int) {
	if limit, _ := isLimit(b.err); limit == "bytes" {
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
	n, err := valueSize(v, e.mp.limits)
	if err != nil || n == 0 {
		return err
	}
	return e.budget.alloc(n)
}

// valueSize is what checkSize charges for v: its size as JSON, 0 for what
// needs no measuring, or the limit it passes.
func valueSize(v any, lim *Limits) (int, error) {
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		// int64 is how every whole number from DynamoDB or a data
		// file arrives: no need to walk it.
		return 0, nil
	case string:
		if 6*len(x)+2 <= lim.Value {
			return jsonTextSize(x), nil
		}
	}
	m, ok := measure(v, lim.Value, lim)
	switch {
	case ok:
		return m.size, nil
	case m.deep:
		return 0, limitErr("depth", "lists and objects may nest at most %d levels deep", lim.Depth)
	}
	return 0, limitErr("value", "an expression may return at most %s, written as JSON", sizeText(lim.Value))
}
