package mapper

import (
	"context"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
)

// Trace records what one evaluation did: which sources were looked up and
// how, and what each rule decided. It answers "why does my token (not) have X".
type Trace struct {
	Sources []SourceTrace
	Rules   []RuleTrace
}

// SourceTrace is what happened to one source.
type SourceTrace struct {
	Name, Table, Index string
	// When is the value of the source's when, nil when it has none.
	When *bool
	// Skipped says why no lookup was made, or is "".
	Skipped string
	// Get or Query is the request made.
	Get        *GetItemInput
	Query      *QueryInput
	Projection []string
	Found      bool
	Items      int
	Duration   time.Duration
	// Cached is set when the source caches and the store has a cache;
	// CacheHit then says whether the cache answered.
	Cached, CacheHit bool
	Err              error

	value      any
	exprFailed bool // Err comes from the mapping's expressions, not the store
}

// RuleTrace is what one claim, suppression, group or scope rule decided.
type RuleTrace struct {
	// Kind is claim, suppress, groups or scope.
	Kind string
	// Path is the rule's place in the mapping, e.g. claims.firstName.
	Path string
	// When is the value of the rule's when, nil when it has none.
	When *bool
	// Fired is set when the rule changed the response.
	Fired bool
	Value any
	Err   error
	// Note says, in words, why a rule did not fire or what was done to its value.
	Note string
	// OnError is what a failure of the rule does (claims, groups and
	// scopes; "" for a suppression, which a failure always skips), and
	// OwnPolicy says whether the rule sets it (onError) or follows the
	// mapping's onClaimError.
	OnError   config.ErrorPolicy
	OwnPolicy bool
}

// EvaluateTrace is Evaluate that also returns a trace of every decision.
// It costs more than Evaluate; use it for explain and debugging.
func (mp *Mapper) EvaluateTrace(ctx context.Context, ev *Event) (*Result, *Trace, error) {
	t := &Trace{}
	r, err := mp.evaluate(ctx, ev, t, nil)
	return r, t, err
}

func (e *evaluation) rule(rt RuleTrace) {
	if e.stats != nil && rt.Fired && rt.Kind == "claim" {
		e.stats.ClaimsAdded++
	}
	if e.trace != nil {
		e.trace.Rules = append(e.trace.Rules, rt)
	}
}

// Value is what the lookup returned: the item, the list of items, or nil.
// explain shows which attributes came back.
func (s SourceTrace) Value() any { return s.value }
