package mapper

import (
	"context"
	"errors"
	"time"
)

// Stats is what one evaluation did, in numbers: the facts the function's
// metrics are made of. Unlike a Trace it holds no values, keys or errors,
// only counts, flags and times, so it can never carry user data. The caller
// owns it and reuses it (Reset): once Sources has room for the mapping's
// sources, HandleStats fills it without allocating.
type Stats struct {
	// Sources has an entry for each source that made a request or failed,
	// in the order they ran. A source skipped by its when or an empty key
	// has none.
	Sources []SourceStats
	// ClaimsAdded counts the claims the response sets (in either token or
	// both).
	ClaimsAdded int
	// ClaimErrors counts the rule problems: a claim, suppression, group or
	// scope rule whose expression failed or whose value could not be used,
	// including the claim that failed the event under onClaimError: fail.
	ClaimErrors int
}

// SourceStats is one source's lookup.
type SourceStats struct {
	Name string
	// Err is set when the lookup failed, or its key or condition did.
	Err bool
	// Timeout is set when it failed because the lookup budget (the
	// mapping's timeout, or the function's deadline) ran out.
	Timeout bool
	// Cached is set when the source caches and the store has a cache;
	// CacheHit then says whether the cache answered (a hit) or DynamoDB
	// did (a miss).
	Cached, CacheHit bool
	// Latency is how long the request took, answered from the cache or not.
	Latency time.Duration
}

// Reset empties s for the next evaluation, keeping its room.
func (s *Stats) Reset() {
	s.Sources = s.Sources[:0]
	s.ClaimsAdded, s.ClaimErrors = 0, 0
}

// cachingStore is a Store with a cache that says whether it answered from
// it, for the CacheHits and CacheMisses metrics (dynamo.Cache is one). The
// mapper calls these
// instead of GetItem and Query for the sources that cache.
type cachingStore interface {
	Store
	GetItemCached(ctx context.Context, in GetItemInput) (item Item, hit bool, err error)
	QueryCached(ctx context.Context, in QueryInput) (items []Item, hit bool, err error)
}

// HandleStats is Handle that also fills st (after resetting it) with what
// the evaluation did; st may be nil.
func (mp *Mapper) HandleStats(ctx context.Context, event []byte, st *Stats) ([]byte, error) {
	if st != nil {
		st.Reset()
	}
	return mp.handle(ctx, event, st)
}

// count records a source's lookup in the stats.
func (e *evaluation) count(st *SourceTrace) {
	if e.stats == nil || (st.Err == nil && st.Get == nil && st.Query == nil) {
		return
	}
	e.stats.Sources = append(e.stats.Sources, SourceStats{
		Name:     st.Name,
		Err:      st.Err != nil,
		Timeout:  st.Err != nil && errors.Is(st.Err, context.DeadlineExceeded),
		Cached:   st.Cached,
		CacheHit: st.CacheHit,
		Latency:  st.Duration,
	})
}
