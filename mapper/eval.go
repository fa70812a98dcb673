package mapper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/expr-lang/expr/vm"

	"github.com/claimsmapper/claimsmapper/config"
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
	Err    error
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
	mp  *Mapper
	ev  *Event
	env map[string]any
	vm  *vm.VM
}

func (mp *Mapper) newEnv(ev *Event) map[string]any {
	env, _ := mp.envs.Get().(map[string]any)
	if env == nil {
		env = make(map[string]any, len(mp.sources)+1)
	}
	env["event"] = ev
	for _, s := range mp.sources {
		if s.cfg.IsQuery() {
			env[s.cfg.Name] = []any(nil)
		} else {
			env[s.cfg.Name] = Item(nil)
		}
	}
	return env
}

// Evaluate runs the mapping for one event.
func (mp *Mapper) Evaluate(ctx context.Context, ev *Event) (*Result, error) {
	e := &evaluation{mp: mp, ev: ev, env: mp.newEnv(ev), vm: mp.vms.Get().(*vm.VM)}
	defer func() {
		mp.vms.Put(e.vm)
		clear(e.env)
		mp.envs.Put(e.env)
	}()
	if err := e.lookups(ctx); err != nil {
		return nil, err
	}
	return e.result()
}

func (e *evaluation) run(p *vm.Program) (out any, err error) {
	defer func() {
		// expr recovers its own panics; this guards against any it misses,
		// so a bad value can never take the function down.
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return e.vm.Run(p, e.env)
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
	if len(e.mp.sources) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, e.mp.cfg.Timeout)
	defer cancel()
	for _, level := range e.mp.levels {
		calls := make([]lookup, len(level))
		for i, s := range level {
			calls[i] = e.prepare(s)
		}
		results := make([]any, len(level))
		errs := make([]error, len(level))
		if len(level) == 1 {
			if calls[0] != nil {
				results[0], errs[0] = calls[0](ctx)
			}
		} else {
			var wg sync.WaitGroup
			for i, call := range calls {
				if call != nil {
					wg.Go(func() { results[i], errs[i] = call(ctx) })
				}
			}
			wg.Wait()
		}
		for i, s := range level {
			if errs[i] != nil {
				if s.cfg.OnError == config.Fail {
					return &EventError{Public: publicSourceError, Err: fmt.Errorf("source %q: %w", s.cfg.Name, errs[i])}
				}
				e.mp.log.LogAttrs(ctx, slog.LevelWarn, "source lookup failed; continuing without it",
					slog.String("source", s.cfg.Name), slog.String("table", s.cfg.Table), slog.String("error", errs[i].Error()))
				continue
			}
			if results[i] != nil {
				e.env[s.cfg.Name] = results[i]
			}
		}
	}
	return nil
}

// lookup reads one source.
type lookup func(ctx context.Context) (any, error)

// prepare evaluates a source's condition and key and returns the lookup to
// make, or nil when the source is skipped.
func (e *evaluation) prepare(s *source) lookup {
	fail := func(err error) lookup {
		return func(context.Context) (any, error) { return nil, err }
	}
	ok, err := e.cond(s.when)
	if err != nil {
		return fail(fmt.Errorf("when: %w", err))
	}
	if !ok {
		return nil
	}
	store := e.mp.store
	if store == nil {
		return fail(errors.New("no data store is configured"))
	}
	if s.cfg.Query == nil {
		in := GetItemInput{Table: s.cfg.Table, Projection: s.projection, ConsistentRead: s.cfg.ConsistentRead, CacheTTL: s.cfg.Cache}
		for _, k := range s.key {
			v, err := e.run(k.prog)
			if err != nil {
				return fail(fmt.Errorf("key %s: %w", k.attr, err))
			}
			if v == nil {
				return nil // no key, nothing to find
			}
			if err := checkKey(v); err != nil {
				return fail(fmt.Errorf("key %s: %w", k.attr, err))
			}
			in.Key = append(in.Key, Attr{k.attr, v})
		}
		return func(ctx context.Context) (any, error) { return getItem(ctx, store, in) }
	}
	in := QueryInput{Table: s.cfg.Table, Index: s.cfg.Index, Limit: s.cfg.Limit, Projection: s.projection,
		ConsistentRead: s.cfg.ConsistentRead, CacheTTL: s.cfg.Cache}
	v, err := e.run(s.partition.prog)
	if err != nil {
		return fail(fmt.Errorf("partition %s: %w", s.partition.attr, err))
	}
	if v == nil {
		return nil
	}
	if err := checkKey(v); err != nil {
		return fail(fmt.Errorf("partition %s: %w", s.partition.attr, err))
	}
	in.Partition = Attr{s.partition.attr, v}
	if s.sortPrefix != nil {
		v, err := e.run(s.sortPrefix.prog)
		if err != nil {
			return fail(fmt.Errorf("sortBeginsWith %s: %w", s.sortPrefix.attr, err))
		}
		if _, ok := v.(string); !ok {
			return fail(fmt.Errorf("sortBeginsWith %s: a prefix must be text, not a %s", s.sortPrefix.attr, kind(v)))
		}
		in.SortPrefix = &Attr{s.sortPrefix.attr, v}
	}
	return func(ctx context.Context) (any, error) { return query(ctx, store, in) }
}

func getItem(ctx context.Context, store Store, in GetItemInput) (any, error) {
	item, err := store.GetItem(ctx, in)
	if err != nil || item == nil {
		return nil, err
	}
	return item, nil
}

func query(ctx context.Context, store Store, in QueryInput) (any, error) {
	items, err := store.Query(ctx, in)
	if err != nil || len(items) == 0 {
		return nil, err
	}
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	return list, nil
}

// checkKey accepts the values a DynamoDB key attribute can hold.
func checkKey(v any) error {
	switch v.(type) {
	case string, int, int64, float64:
		return nil
	}
	return fmt.Errorf("a key must be text or a number, not a %s", kind(v))
}
