package dynamo

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// bigStore answers every lookup with an item of size bytes of text.
type bigStore struct {
	size, gets int
}

func (s *bigStore) GetItem(_ context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	s.gets++
	return mapper.Item{"k": in.Key[0].Value, "blob": strings.Repeat("x", s.size)}, nil
}

func (s *bigStore) Query(context.Context, mapper.QueryInput) ([]mapper.Item, error) {
	return nil, nil
}

func TestCacheIsBoundedInBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// Each test source is named after its table, except where two share one.
	bounded := func(table string, user any, maxBytes int64) mapper.GetItemInput {
		in := get(user, time.Minute)
		in.Source, in.Table, in.CacheBytes = table, table, maxBytes
		return in
	}

	t.Run("a source's entries never take more than its maxBytes", func(t *testing.T) {
		t.Parallel()
		next := &bigStore{size: 10 << 10}
		c := NewCache(next, 0)
		for i := range 1000 {
			c.GetItem(ctx, bounded("Users", fmt.Sprint(i), 100<<10))
		}
		if got := c.bytes["Users"]; got > 100<<10 || got < 80<<10 {
			t.Errorf("the source's cache holds %d bytes, want at most %d and nearly full", got, 100<<10)
		}
		if len(c.entries) > 10 {
			t.Errorf("%d entries of 10 KB kept under a 100 KB bound", len(c.entries))
		}
		// The newest stays; the oldest went.
		before := next.gets
		c.GetItem(ctx, bounded("Users", "999", 100<<10))
		c.GetItem(ctx, bounded("Users", "0", 100<<10))
		if next.gets != before+1 {
			t.Errorf("%d lookups, want only the evicted oldest looked up again", next.gets-before)
		}
	})

	t.Run("an item larger than the bound is not kept", func(t *testing.T) {
		t.Parallel()
		next := &bigStore{size: 2 << 20}
		c := NewCache(next, 0)
		c.GetItem(ctx, bounded("Users", "ben", 1<<20))
		c.GetItem(ctx, bounded("Users", "ben", 1<<20))
		if next.gets != 2 || len(c.entries) != 0 || c.bytes["Users"] != 0 {
			t.Errorf("%d lookups, %d entries, %d bytes: a 2 MB item was cached under a 1 MB bound", next.gets, len(c.entries), c.bytes["Users"])
		}
	})

	t.Run("the default bound applies without maxBytes", func(t *testing.T) {
		t.Parallel()
		next := &bigStore{size: 100 << 10}
		c := NewCache(next, 0)
		for i := range 200 {
			c.GetItem(ctx, bounded("Users", i, 0))
		}
		if got := c.bytes["Users"]; got > 4<<20 {
			t.Errorf("the cache holds %d bytes, over the 4 MB default", got)
		}
	})

	t.Run("each source has its own bound", func(t *testing.T) {
		t.Parallel()
		next := &bigStore{size: 10 << 10}
		c := NewCache(next, 0)
		for i := range 100 {
			c.GetItem(ctx, bounded("Users", i, 50<<10))
		}
		c.GetItem(ctx, bounded("Plans", "free", 50<<10))
		c.GetItem(ctx, bounded("Plans", "free", 50<<10))
		if next.gets != 101 {
			t.Errorf("%d lookups: a busy source pushed another's entry out", next.gets)
		}
	})

	t.Run("two sources on one table each keep their own bound", func(t *testing.T) {
		t.Parallel()
		next := &bigStore{size: 10 << 10}
		c := NewCache(next, 0)
		profile := bounded("Users", "ben", 1<<20)
		profile.Source = "profile"
		c.GetItem(ctx, profile)
		for i := range 100 {
			small := bounded("Users", i, 50<<10)
			small.Source = "manager"
			c.GetItem(ctx, small)
		}
		c.GetItem(ctx, profile)
		if next.gets != 101 {
			t.Errorf("%d lookups: a source with a small maxBytes pushed out another source's entry on the same table", next.gets)
		}
	})
}

// BenchmarkCacheMissWhenFull is a miss of a source whose share of the cache
// is full: the usual state of a busy function's cache.
func BenchmarkCacheMissWhenFull(b *testing.B) {
	ctx := context.Background()
	c := NewCache(&bigStore{size: 1000}, 0)
	in := func(i int) mapper.GetItemInput {
		g := get(i, time.Minute)
		g.Source, g.Table = "user", "Users"
		return g
	}
	for i := range 20000 {
		c.GetItem(ctx, in(i))
	}
	b.ResetTimer()
	for i := range b.N {
		c.GetItem(ctx, in(100000+i))
	}
}
