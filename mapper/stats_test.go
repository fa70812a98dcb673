package mapper_test

import (
	"context"
	"errors"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// cachingStore answers from a map and says a lookup hit when its key was
// asked before.
type cachingStore struct {
	storeFuncs
	seen map[any]bool
}

func (c *cachingStore) GetItemCached(ctx context.Context, in mapper.GetItemInput) (mapper.Item, bool, error) {
	hit := c.seen[in.Key[0].Value]
	c.seen[in.Key[0].Value] = true
	item, err := c.GetItem(ctx, in)
	return item, hit, err
}

func (c *cachingStore) QueryCached(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, bool, error) {
	items, err := c.Query(ctx, in)
	return items, false, err
}

const statsMapping = `version: 1
timeout: 50ms
sources:
  user:
    table: Users
    key: {id: event.userName}
    cache: 1m
  orgs:
    table: Orgs
    query:
      partition: {pk: event.userName}
    onError: ignore
  never:
    table: Never
    key: {id: event.userName}
    when: 'false'
claims:
  first: user.first
  orgCount: len(orgs)
  broken: user.first + 1
  never: never?.x
`

func TestHandleStatsCountsWhatHappened(t *testing.T) {
	t.Parallel()
	store := &cachingStore{seen: map[any]bool{}, storeFuncs: storeFuncs{
		GetFunc: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
			return mapper.Item{"first": "Secret-Ben"}, nil
		},
		QueryFunc: func(ctx context.Context, _ mapper.QueryInput) ([]mapper.Item, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		},
	}}
	mp := load(t, statsMapping, store)
	event := []byte(`{"version":"1","triggerSource":"TokenGeneration_Authentication","userName":"ben",
"callerContext":{"clientId":"c"},"request":{"userAttributes":{}},"response":{}}`)
	var st mapper.Stats
	for i, wantHit := range []bool{false, true} {
		if _, err := mp.HandleStats(context.Background(), event, &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Sources) != 2 {
			t.Fatalf("event %d: %d sources counted, want user and orgs (never is skipped): %+v", i, len(st.Sources), st.Sources)
		}
		user, orgs := st.Sources[0], st.Sources[1]
		if user.Name != "user" || user.Err || user.Timeout || !user.Cached || user.CacheHit != wantHit {
			t.Errorf("event %d: user = %+v, want no error and a cache hit %v", i, user, wantHit)
		}
		if orgs.Name != "orgs" || !orgs.Err || !orgs.Timeout || orgs.Cached || orgs.Latency <= 0 {
			t.Errorf("event %d: orgs = %+v, want a timeout, its latency and no cache", i, orgs)
		}
		// first and orgCount (len of nothing is 0) are set; broken fails.
		if st.ClaimsAdded != 2 || st.ClaimErrors != 1 {
			t.Errorf("event %d: claims added %d, errors %d; want 2 and 1", i, st.ClaimsAdded, st.ClaimErrors)
		}
	}
}

func TestHandleStatsCountsTheClaimThatFailsTheEvent(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nonClaimError: fail\nclaims:\n  a: int(event.userName)\n", nil)
	var st mapper.Stats
	_, err := mp.HandleStats(context.Background(), []byte(`{"version":"1","triggerSource":"TokenGeneration_Authentication","userName":"ben",
"callerContext":{"clientId":"c"},"request":{"userAttributes":{}},"response":{}}`), &st)
	var ee *mapper.EventError
	if !errors.As(err, &ee) || st.ClaimErrors != 1 || st.ClaimsAdded != 0 {
		t.Errorf("err %v, stats %+v; want the event failed with one claim error", err, st)
	}
}

// Counting must cost the Lambda's hot path nothing it can measure in
// allocations: HandleStats with a reused Stats allocates as Handle does.
func TestHandleStatsAllocatesNothingMore(t *testing.T) {
	store := tables(t, string(readFile(t, "../testdata/seed/users.yaml")))
	mp := load(t, "version: 1\nsources:\n  user:\n    table: SampleUsers\n    key: {userName: event.userName}\nclaims:\n  firstName: user.FirstName\n  lastName: user.LastName\n", store)
	event := readFile(t, "../testdata/seed/event.json")
	ctx := context.Background()
	var st mapper.Stats
	plain := testenv.AllocsPerCall(200, func() { mp.Handle(ctx, event) })
	counted := testenv.AllocsPerCall(200, func() { mp.HandleStats(ctx, event, &st) })
	if counted > plain {
		t.Errorf("HandleStats allocates %.1f times per event, Handle %.1f", counted, plain)
	}
	if len(st.Sources) != 1 || st.ClaimsAdded != 2 {
		t.Errorf("stats %+v, want one source and two claims", st)
	}
}
