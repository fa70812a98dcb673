package dynamo

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// countingStore counts lookups and answers with the key it was asked for.
type countingStore struct {
	gets, queries int
	err           error
}

func (s *countingStore) GetItem(_ context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	s.gets++
	return mapper.Item{"k": in.Key[0].Value}, s.err
}

func (s *countingStore) Query(_ context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
	s.queries++
	return []mapper.Item{{"k": in.Partition.Value}}, s.err
}

func get(user any, ttl time.Duration) mapper.GetItemInput {
	return mapper.GetItemInput{Table: "Users", Key: []mapper.Attr{{Name: "id", Value: user}}, CacheTTL: ttl}
}

func TestCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("a source without cache always asks", func(t *testing.T) {
		t.Parallel()
		next := &countingStore{}
		c := NewCache(next, 0)
		c.GetItem(ctx, get("ben", 0))
		c.GetItem(ctx, get("ben", 0))
		if next.gets != 2 {
			t.Errorf("%d lookups, want 2", next.gets)
		}
	})

	t.Run("a cached result is served until its TTL ends", func(t *testing.T) {
		t.Parallel()
		next := &countingStore{}
		c := NewCache(next, 0)
		now := time.Unix(0, 0)
		c.now = func() time.Time { return now }
		for range 3 {
			if it, _ := c.GetItem(ctx, get("ben", time.Minute)); it["k"] != "ben" {
				t.Fatalf("item = %v", it)
			}
		}
		c.Query(ctx, mapper.QueryInput{Table: "Users", Partition: mapper.Attr{Name: "pk", Value: "ben"}, CacheTTL: time.Minute})
		c.Query(ctx, mapper.QueryInput{Table: "Users", Partition: mapper.Attr{Name: "pk", Value: "ben"}, CacheTTL: time.Minute})
		now = now.Add(time.Minute)
		c.GetItem(ctx, get("ben", time.Minute))
		if next.gets != 2 || next.queries != 1 {
			t.Errorf("%d gets and %d queries, want 2 and 1", next.gets, next.queries)
		}
	})

	t.Run("text and number keys are different entries", func(t *testing.T) {
		t.Parallel()
		next := &countingStore{}
		c := NewCache(next, 0)
		c.GetItem(ctx, get("1", time.Minute))
		if it, _ := c.GetItem(ctx, get(int64(1), time.Minute)); it["k"] != int64(1) {
			t.Errorf("item = %#v, want the number key's", it)
		}
	})

	t.Run("errors are not cached", func(t *testing.T) {
		t.Parallel()
		next := &countingStore{err: errors.New("boom")}
		c := NewCache(next, 0)
		c.GetItem(ctx, get("ben", time.Minute))
		c.GetItem(ctx, get("ben", time.Minute))
		if next.gets != 2 {
			t.Errorf("%d lookups, want 2", next.gets)
		}
	})

	t.Run("the cache never holds more than its size", func(t *testing.T) {
		t.Parallel()
		next := &countingStore{}
		c := NewCache(next, 100)
		for i := range 1000 {
			c.GetItem(ctx, get(fmt.Sprint(i), time.Hour))
		}
		if n := len(c.entries); n > 100 || len(c.order) != n {
			t.Errorf("%d entries, %d in order; want at most 100, equal", n, len(c.order))
		}
		// The newest entry survives eviction.
		before := next.gets
		c.GetItem(ctx, get("999", time.Hour))
		if next.gets != before {
			t.Error("the newest entry was evicted")
		}
	})
}
