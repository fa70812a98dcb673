package mapper

import (
	"context"
	"fmt"
	"runtime/metrics"
	"slices"
	"sync"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
)

// Backstop bounds an evaluation from outside, for when the budget (the cost
// model) fails to stop it: an operation it charges too little, or a store
// that ignores its context. The evaluation runs on a goroutine of its own;
// when its deadline passes by Grace, or the heap grows past Heap, while it
// still runs, the caller stops waiting and gets an answer at once, made of
// what the rules finished as their error policies say: the unfinished
// claims and scope rules omitted, the request's groups kept, or, when one of
// them (or a source still to look up) says fail, the event's error. The
// goroutine cannot be stopped and runs on: Tripped tells the caller, who
// should end the process once the answer is out (the Lambda does; the CLI
// exits at once).
//
// A Backstop reaches the evaluations through their context (WithBackstop),
// so every caller of a mapping gets it without a load option of its own.
type Backstop struct {
	// Grace is how long past its deadline (the mapping's timeout, or the
	// context's deadline when it is earlier) an evaluation may still run:
	// enough for one that stops at its deadline, as the budget makes it,
	// to answer by itself.
	Grace time.Duration
	// Heap is the ceiling of the heap's objects, in bytes; 0 sets none.
	// While an evaluation runs, the heap is read every heapPoll.
	Heap uint64
	// Tripped is called once per stopped evaluation, before its answer is
	// returned, with what stopped it. It must not block for long.
	Tripped func(ctx context.Context, s Stop)
	// Ended, when set, is called on the evaluation's goroutine when a
	// stopped evaluation ends at last, if it does: a long-lived process
	// that does not end after a stop learns when the work is over.
	Ended func()
}

// heapPoll is how often the heap is read while an evaluation runs under a
// Backstop with a heap ceiling. Reading it costs about a microsecond and
// stops nothing; a sign-in takes far less than this, so most never read it.
const heapPoll = time.Millisecond

// Stop says what the backstop stopped. It quotes no user data: it can be
// logged at any level.
type Stop struct {
	// Limit is "time" or "memory".
	Limit string
	// Rule is what was running: a rule's path (claims.NAME, groups.override),
	// "sources" for the lookups, or "the response".
	Rule string
	// Failed is set when the answer is the event's error (a rule or source
	// still to finish says fail); otherwise the unfinished rules were left
	// out.
	Failed bool
	// Heap is the heap's objects, in bytes, when the limit tripped.
	Heap uint64
}

// StopError is the cause of an event the backstop failed.
type StopError struct{ Stop Stop }

func (e *StopError) Error() string {
	if e.Stop.Limit == "memory" {
		return fmt.Sprintf("the evaluation was stopped while %s was running: the function's memory ran short (limit %q)", e.Stop.Rule, e.Stop.Limit)
	}
	return fmt.Sprintf("the evaluation was stopped while %s was running: it ran past its deadline (limit %q)", e.Stop.Rule, e.Stop.Limit)
}

type backstopKey struct{}

// WithBackstop returns a context under which every evaluation runs with b.
func WithBackstop(ctx context.Context, b *Backstop) context.Context {
	return context.WithValue(ctx, backstopKey{}, b)
}

func backstopOf(ctx context.Context) *Backstop {
	b, _ := ctx.Value(backstopKey{}).(*Backstop)
	return b
}

// heapObjects is the bytes the heap's objects take, live or not yet swept:
// what the backstop holds against its ceiling. It does not stop the world.
func heapObjects() uint64 {
	var h heapMeter
	return h.read()
}

// heapMeter reads heapObjects into a sample it keeps: the backstop reads
// the heap every heapPoll while an evaluation runs, and a sample made at
// each read was a thousand allocations a second of a slow sign-in, on the
// heap the backstop is there to watch.
type heapMeter struct{ sample [1]metrics.Sample }

func (h *heapMeter) read() uint64 {
	s := h.sample[:]
	s[0].Name = "/memory/classes/heap/objects:bytes"
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// The stages of an evaluation, in order.
type stage uint8

const (
	stageSources stage = iota
	stageClaims
	stageSuppress
	stageGroups
	stageScopesAdd
	stageScopesDel
	stageDone
)

// guard is what an evaluation under a Backstop shares with the caller
// waiting for it. The evaluation writes the result only holding mu, and
// not at all once abandoned is set: the caller then owns the result.
type guard struct {
	mu        sync.Mutex
	abandoned bool
	stage     stage
	index     int // of the rule running within its stage
	r         *Result
}

// at records that the evaluation has reached the index'th rule of stage s;
// it reports false once the caller stopped waiting, and the evaluation
// should end.
func (e *evaluation) at(s stage, index int) bool {
	g := e.guard
	if g == nil {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stage, g.index = s, index
	return !g.abandoned
}

// lock is taken around every write to the result; it reports false (and
// holds nothing) once the caller stopped waiting.
func (e *evaluation) lock() bool {
	g := e.guard
	if g == nil {
		return true
	}
	g.mu.Lock()
	if g.abandoned {
		g.mu.Unlock()
		return false
	}
	return true
}

func (e *evaluation) unlock() {
	if e.guard != nil {
		e.guard.mu.Unlock()
	}
}

// errAbandoned ends an evaluation the caller stopped waiting for; no one
// reads it.
var errAbandoned = fmt.Errorf("the evaluation was abandoned")

// guarded runs the evaluation on its own goroutine and waits for it, for
// its deadline plus b.Grace, or for the heap to pass b.Heap.
func (mp *Mapper) guarded(ctx context.Context, e *evaluation, b *Backstop) (*Result, error) {
	e.guard = &guard{r: e.newResult()}
	// The evaluation counts and traces into its own: the caller reads its
	// own only once the evaluation is over.
	stats, trace := e.stats, e.trace
	if stats != nil {
		e.stats = new(Stats)
	}
	if trace != nil {
		e.trace = &Trace{}
	}
	type answer struct {
		r   *Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		var a answer
		defer func() {
			if p := recover(); p != nil {
				a = answer{nil, &EventError{Public: publicClaimError, Rule: "evaluation", Reason: "internal error", Err: fmt.Errorf("the evaluation panicked: %v", p)}}
			}
			e.release()
			done <- a
			e.guard.mu.Lock()
			abandoned := e.guard.abandoned
			e.guard.mu.Unlock()
			if abandoned && b.Ended != nil {
				b.Ended()
			}
		}()
		if err := e.lookups(e.ctx); err != nil {
			a.err = err
			return
		}
		a.r, a.err = e.result(e.guard.r)
	}()
	var deadline <-chan time.Time
	if dl, ok := ctx.Deadline(); ok {
		t := time.NewTimer(time.Until(dl) + b.Grace)
		defer t.Stop()
		deadline = t.C
	}
	var heap heapMeter
	var poll <-chan time.Time
	if b.Heap > 0 {
		t := time.NewTicker(heapPoll)
		defer t.Stop()
		poll = t.C
	}
	for {
		select {
		case a := <-done:
			if stats != nil {
				*stats = *e.stats
			}
			if trace != nil {
				*trace = *e.trace
			}
			return a.r, a.err
		case <-deadline:
			return e.abandon(ctx, b, Stop{Limit: "time", Heap: heap.read()})
		case <-poll:
			if h := heap.read(); h > b.Heap {
				return e.abandon(ctx, b, Stop{Limit: "memory", Heap: h})
			}
		}
	}
}

// abandon stops waiting for the evaluation and answers with what its rules
// finished, as their error policies say.
func (e *evaluation) abandon(ctx context.Context, b *Backstop, s Stop) (*Result, error) {
	g := e.guard
	g.mu.Lock()
	g.abandoned = true
	cur, index, r := g.stage, g.index, g.r
	g.mu.Unlock()
	mp := e.mp
	s.Rule = e.running(cur, index)
	// failing is the first rule or source still to finish whose policy is
	// fail: the answer is then the event's error, as that rule would have
	// made it had it failed.
	failing, public := "", publicClaimError
	if cur == stageSources {
		// index is the level of sources being looked up: those before it
		// finished.
	levels:
		for _, level := range mp.levels[min(index, len(mp.levels)):] {
			for _, src := range level {
				if src.cfg.OnError == config.Fail {
					failing, public = "sources."+src.cfg.Name, publicSourceError
					break levels
				}
			}
		}
	}
	if failing == "" && cur <= stageClaims {
		from := 0
		if cur == stageClaims {
			from = index
		}
		for _, c := range mp.claims[from:] {
			if c.onError == config.Fail && (c.value != nil || c.when != nil) {
				failing = c.path
				break
			}
		}
	}
	groups := mp.groups.override != nil || mp.groups.iamRoles != nil || mp.groups.preferredRole != nil
	if failing == "" && cur <= stageGroups && groups && mp.groups.onError == config.Fail {
		failing = "groups"
	}
	if failing == "" && r.Version != "1" {
		for _, ss := range []struct {
			st    stage
			rules []*scopeRule
		}{{stageScopesAdd, mp.scopeAdd}, {stageScopesDel, mp.scopeDel}} {
			from := 0
			switch {
			case cur > ss.st:
				continue
			case cur == ss.st:
				from = index
			}
			if i := slices.IndexFunc(ss.rules[from:], func(sr *scopeRule) bool { return sr.onError == config.Fail }); i >= 0 {
				failing = ss.rules[from+i].path
				break
			}
		}
	}
	s.Failed = failing != ""
	if b.Tripped != nil {
		b.Tripped(ctx, s)
	}
	if s.Failed {
		err := &StopError{Stop: s}
		return nil, &EventError{Public: public, Rule: failing, Reason: err.Error(), Err: err}
	}
	if cur <= stageGroups {
		// What groups would have kept had their expressions failed.
		r.Groups = GroupConfig{Groups: e.ev.Groups, IAMRoles: e.ev.IAMRoles}
		if p, ok := e.ev.PreferredRole.(string); ok {
			r.Groups.PreferredRole = &p
		}
	}
	if err := checkChanges(r); err != nil {
		return nil, err
	}
	return r, nil
}

// running names what was running at stage and index.
func (e *evaluation) running(s stage, index int) string {
	mp := e.mp
	switch {
	case s == stageSources:
		return "sources"
	case s == stageClaims && index < len(mp.claims):
		return mp.claims[index].path
	case s == stageSuppress && index < len(mp.suppress):
		return mp.suppress[index].path
	case s == stageGroups:
		return "groups"
	case s == stageScopesAdd && index < len(mp.scopeAdd):
		return mp.scopeAdd[index].path
	case s == stageScopesDel && index < len(mp.scopeDel):
		return mp.scopeDel[index].path
	}
	return "the response"
}
