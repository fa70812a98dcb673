package mapper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

// Messages returned to Cognito, which shows them on the sign-in page: they
// must make sense to the person signing in and reveal nothing else.
const (
	publicSourceError = "could not load your profile, try again"
	publicClaimError  = "could not prepare your sign-in, try again"
)

// EventError fails an event. Its Error text is safe to show to the person
// signing in; the cause, for logs only, is behind Unwrap.
type EventError struct {
	Public string
	// Rule names what failed (claims.NAME, sources.NAME, the response) and
	// Reason the kind of failure: both quote no user data and may be logged
	// at any level, unlike Err.
	Rule, Reason string
	Err          error
}

func (e *EventError) Error() string { return e.Public }
func (e *EventError) Unwrap() error { return e.Err }

// Result is what a mapping decided for one event, before it is written in
// the event version's response shape.
type Result struct {
	Version string
	// NoIDToken is set for client-credentials events, which have no ID token.
	NoIDToken bool

	IDClaims       map[string]any
	AccessClaims   map[string]any
	IDSuppress     []string
	AccessSuppress []string
	ScopesAdd      []string
	ScopesSuppress []string
	Groups         GroupConfig
}

// GroupConfig is the groups, IAM roles and preferred role the tokens carry.
type GroupConfig struct {
	Groups        []string
	IAMRoles      []string
	PreferredRole *string
}

// evaluation is the state of one event.
type evaluation struct {
	// ctx is the invocation's: the rule warnings logged with it carry what
	// the caller's log handler takes from it (the Lambda's request id).
	ctx   context.Context
	mp    *Mapper
	ev    *Event
	env   map[string]any
	vm    *vm.VM
	trace *Trace // nil unless tracing
	stats *Stats // nil unless counting
	// budget is what is left of the Limits for this event; expressions
	// reach it through env[budgetVar].
	budget budget
	// guard is shared with the caller when a Backstop watches the
	// evaluation from another goroutine; nil otherwise.
	guard *guard
}

func (mp *Mapper) newEnv(ev *Event) map[string]any {
	env, _ := mp.envs.Get().(map[string]any)
	if env == nil {
		env = make(map[string]any, len(mp.sources)+1)
	}
	env["event"] = ev
	env[budgetVar] = (*budget)(nil)
	for _, s := range mp.sources {
		if s.cfg.IsQuery() {
			// A query is a list even when it was not made or found
			// nothing: [] in a token, as the docs promise.
			env[s.cfg.Name] = []any{}
		} else {
			env[s.cfg.Name] = Item(nil)
		}
	}
	return env
}

// Evaluate runs the mapping for one event.
func (mp *Mapper) Evaluate(ctx context.Context, ev *Event) (*Result, error) {
	return mp.evaluate(ctx, ev, nil, nil)
}

func (mp *Mapper) evaluate(ctx context.Context, ev *Event, t *Trace, stats *Stats) (*Result, error) {
	if mp.unbound {
		return nil, errUnbound
	}
	// The mapping's timeout covers the lookups and the expressions
	// together, as the caller's deadline (Lambda's, less a margin) does.
	timeout := mp.cfg.Timeout
	if mp.timeout > 0 {
		timeout = mp.timeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	e := &evaluation{ctx: ctx, mp: mp, ev: ev, env: mp.newEnv(ev), vm: mp.vms.Get().(*vm.VM), trace: t, stats: stats}
	e.budget.reset(ctx, mp.limits, mp.patterns)
	e.env[budgetVar] = &e.budget
	if b := backstopOf(ctx); b != nil {
		return mp.guarded(ctx, e, b)
	}
	defer e.release()
	if err := e.lookups(ctx); err != nil {
		return nil, err
	}
	return e.result(e.newResult())
}

// release reports what the evaluation spent (to the measuring hook, if
// any) and gives its VM and variables back to their pools.
func (e *evaluation) release() {
	if e.mp.spent != nil {
		e.mp.spent(e.mp.limits.Work-e.budget.event, e.budget.made)
	}
	e.mp.vms.Put(e.vm)
	clear(e.env)
	e.mp.envs.Put(e.env)
}

func (e *evaluation) newResult() *Result {
	return &Result{Version: e.ev.Version, NoIDToken: e.ev.ClientCredentials()}
}

func (e *evaluation) run(p *vm.Program) (out any, err error) {
	defer func() {
		// expr recovers its own panics; this guards against any it misses,
		// so a bad value can never take the function down.
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	before := e.budget.bytes
	e.budget.begin()
	defer e.budget.end()
	out, err = e.vm.Run(p, e.env)
	if err == nil && !e.mp.unbounded {
		err = e.checkSize(out)
	}
	if err != nil {
		e.budget.release(before)
	}
	return out, err
}

// cond evaluates a when expression; nil means true.
func (e *evaluation) cond(p *vm.Program) (bool, error) {
	if p == nil {
		return true, nil
	}
	v, err := e.run(p)
	if err != nil {
		return false, err
	}
	b, _ := v.(bool)
	return b, nil
}

// lookups resolves the sources level by level; the sources of one level
// depend on none of each other and are looked up concurrently.
func (e *evaluation) lookups(ctx context.Context) error {
	for li, level := range e.mp.levels {
		if !e.at(stageSources, li) {
			return errAbandoned
		}
		steps := make([]SourceTrace, len(level))
		for i, s := range level {
			steps[i] = e.prepare(s)
		}
		if len(level) == 1 {
			e.fetch(ctx, level[0], &steps[0])
		} else {
			var wg sync.WaitGroup
			for i, s := range level {
				wg.Go(func() { e.fetch(ctx, s, &steps[i]) })
			}
			wg.Wait()
		}
		for i, s := range level {
			st := &steps[i]
			if e.trace != nil {
				e.trace.Sources = append(e.trace.Sources, *st)
			}
			e.count(st)
			if st.Err != nil {
				if s.cfg.OnError == config.Fail {
					return failEvent(publicSourceError, "sources."+s.cfg.Name, fmt.Sprintf("source %q", s.cfg.Name), st.safeErr())
				}
				e.sourceWarning(ctx, st)
				continue
			}
			if st.value != nil {
				e.env[s.cfg.Name] = st.value
			}
		}
	}
	return nil
}

// sourceWarning logs a failed source. A store's error (throttling, access
// denied) is what operators need and quotes no item; an expression's error
// may quote user data, so its text goes to the debug level only.
func (e *evaluation) sourceWarning(ctx context.Context, st *SourceTrace) {
	const msg = "source lookup failed; continuing without it"
	attrs := []slog.Attr{slog.String("source", st.Name), slog.String("table", st.Table)}
	if !st.exprFailed {
		e.mp.log.LogAttrs(ctx, slog.LevelWarn, msg, append(attrs, slog.String("error", st.Err.Error()))...)
		return
	}
	e.mp.log.LogAttrs(ctx, slog.LevelWarn, msg+": its key or condition failed", attrs...)
	e.mp.log.LogAttrs(ctx, slog.LevelDebug, msg, append(attrs, slog.String("error", st.Err.Error()))...)
}

// prepare evaluates a source's condition and key and says what to look up.
// It runs on the evaluation's goroutine: the VM is not shared.
func (e *evaluation) prepare(s *source) SourceTrace {
	st := SourceTrace{Name: s.cfg.Name, Table: s.cfg.Table, Index: s.cfg.Index, Projection: s.projection}
	ok, err := e.cond(s.when)
	if s.when != nil && err == nil {
		st.When = &ok
	}
	switch {
	case err != nil:
		st.Err, st.exprFailed = fmt.Errorf("when: %w", err), true
		return st
	case !ok:
		st.Skipped = "its when condition is false"
		return st
	case e.mp.store == nil:
		st.Err = errors.New("no data store is configured")
		return st
	}
	if s.cfg.Query == nil {
		in := &GetItemInput{Source: s.cfg.Name, Table: s.cfg.Table, Projection: s.projection, ConsistentRead: s.cfg.ConsistentRead, CacheTTL: s.cfg.Cache, CacheBytes: s.cfg.CacheBytes}
		for _, k := range s.key {
			v := e.keyValue(k, &st)
			if v == nil {
				return st
			}
			in.Key = append(in.Key, Attr{k.attr, v})
		}
		st.Get = in
		return st
	}
	in := &QueryInput{Source: s.cfg.Name, Table: s.cfg.Table, Index: s.cfg.Index, Limit: s.cfg.Limit, Projection: s.projection,
		ConsistentRead: s.cfg.ConsistentRead, CacheTTL: s.cfg.Cache, CacheBytes: s.cfg.CacheBytes}
	v := e.keyValue(s.partition, &st)
	if v == nil {
		return st
	}
	in.Partition = Attr{s.partition.attr, v}
	if s.sortPrefix != nil {
		v, err := e.run(s.sortPrefix.prog)
		if _, isText := v.(string); err == nil && !isText {
			err = fmt.Errorf("a prefix must be text, not a %s", dynval.Kind(v))
		}
		if err != nil {
			st.Err, st.exprFailed = fmt.Errorf("sortBeginsWith %s: %w", s.sortPrefix.attr, err), true
			return st
		}
		in.SortPrefix = &Attr{s.sortPrefix.attr, v}
	}
	st.Query = in
	return st
}

// keyValue evaluates one key attribute. A nil value means there is nothing
// to look up; st says why.
func (e *evaluation) keyValue(k keyProg, st *SourceTrace) any {
	v, err := e.run(k.prog)
	if err == nil && v != nil {
		err = checkKey(v)
	}
	switch {
	case err != nil:
		st.Err, st.exprFailed = fmt.Errorf("key %s: %w", k.attr, err), true
		return nil
	case v == nil || v == "":
		// DynamoDB rejects empty key values; an event without a user name
		// (client credentials) simply has nothing to look up.
		st.Skipped = "its key " + k.attr + " is empty"
		return nil
	}
	return v
}

// checkKey accepts the values a DynamoDB key attribute can hold.
func checkKey(v any) error {
	switch x := v.(type) {
	case string, int, int64:
		return nil
	case float64:
		// A division by zero gives infinity or NaN, which DynamoDB
		// refuses: the mistake is the expression's, not the store's.
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return errors.New("a key must be text or a finite number; the expression's result is not finite (a division by zero?)")
		}
		return nil
	}
	return fmt.Errorf("a key must be text or a number, not a %s", dynval.Kind(v))
}

// fetch makes the lookup prepare planned, if any.
func (e *evaluation) fetch(ctx context.Context, s *source, st *SourceTrace) {
	if st.Err != nil || (st.Get == nil && st.Query == nil) {
		return
	}
	start := time.Now()
	defer func() { st.Duration = time.Since(start) }()
	cs, caches := e.mp.store.(cachingStore)
	if st.Get != nil {
		var item Item
		var err error
		if caches && st.Get.CacheTTL > 0 {
			var hit bool
			item, hit, err = cs.GetItemCached(ctx, *st.Get)
			st.Cached, st.CacheHit = true, hit
		} else {
			item, err = e.mp.store.GetItem(ctx, *st.Get)
		}
		st.Err = err
		if err == nil && item != nil {
			st.Found, st.Items, st.value = true, 1, item
		}
		return
	}
	var items []Item
	var err error
	if caches && st.Query.CacheTTL > 0 {
		var hit bool
		items, hit, err = cs.QueryCached(ctx, *st.Query)
		st.Cached, st.CacheHit = true, hit
	} else {
		items, err = e.mp.store.Query(ctx, *st.Query)
	}
	st.Err = err
	if err != nil || len(items) == 0 {
		return
	}
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	st.Found, st.Items, st.value = true, len(items), list
}
