package dynamo

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// DefaultCacheEntries bounds a Cache made with size 0. An entry is one
// user's projected item, a few hundred bytes: the bound keeps a burst of
// distinct users from growing a Lambda instance's memory without limit.
const DefaultCacheEntries = 10000

// Cache is a mapper.Store that remembers results of the sources that ask for
// it (a CacheTTL above 0) for that long, and passes every other lookup
// through. It exists for bursts of refresh-token events, which look up the
// same user again and again. Errors are never cached; "not found" is, since
// a burst for an unknown user costs as much as one for a known one.
//
// Entries live in the memory of one Lambda instance: a change in DynamoDB
// reaches tokens after at most the TTL. Each source's entries are bounded in
// bytes (its cache: maxBytes, config.DefaultCacheBytes unless set), as well
// as all entries together in number: a table of large items cannot exhaust
// the function's memory. A result larger than its source's bound is not
// kept at all.
type Cache struct {
	next mapper.Store
	max  int
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]cacheEntry
	order   []string // keys in insertion order, for eviction
	bytes   map[string]int64
}

type cacheEntry struct {
	expires time.Time
	item    mapper.Item
	items   []mapper.Item
	// bucket is the source whose share of memory the entry counts in, and
	// size the entry's estimated bytes in it.
	bucket string
	size   int64
}

// NewCache wraps next with a cache of at most size entries (0 means
// DefaultCacheEntries).
func NewCache(next mapper.Store, size int) *Cache {
	if size <= 0 {
		size = DefaultCacheEntries
	}
	return &Cache{next: next, max: size, now: time.Now, entries: map[string]cacheEntry{}, bytes: map[string]int64{}}
}

// GetItem serves a cached item when the source caches and one is fresh.
func (c *Cache) GetItem(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	item, _, err := c.GetItemCached(ctx, in)
	return item, err
}

// The mapper asks a store with these methods whether its cache answered,
// for the CacheHits and CacheMisses metrics.
var _ interface {
	GetItemCached(context.Context, mapper.GetItemInput) (mapper.Item, bool, error)
	QueryCached(context.Context, mapper.QueryInput) ([]mapper.Item, bool, error)
} = (*Cache)(nil)

// GetItemCached is GetItem that also says whether the cache answered.
func (c *Cache) GetItemCached(ctx context.Context, in mapper.GetItemInput) (mapper.Item, bool, error) {
	if in.CacheTTL <= 0 {
		item, err := c.next.GetItem(ctx, in)
		return item, false, err
	}
	key := getKey(in)
	if e, ok := c.lookup(key); ok {
		return e.item, true, nil
	}
	item, err := c.next.GetItem(ctx, in)
	if err == nil {
		c.store(key, cacheEntry{expires: c.now().Add(in.CacheTTL), item: item, bucket: in.Source}, in.CacheBytes)
	}
	return item, false, err
}

// Query serves cached items when the source caches and they are fresh.
func (c *Cache) Query(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
	items, _, err := c.QueryCached(ctx, in)
	return items, err
}

// QueryCached is Query that also says whether the cache answered.
func (c *Cache) QueryCached(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, bool, error) {
	if in.CacheTTL <= 0 {
		items, err := c.next.Query(ctx, in)
		return items, false, err
	}
	key := queryKey(in)
	if e, ok := c.lookup(key); ok {
		return e.items, true, nil
	}
	items, err := c.next.Query(ctx, in)
	if err == nil {
		c.store(key, cacheEntry{expires: c.now().Add(in.CacheTTL), items: items, bucket: in.Source}, in.CacheBytes)
	}
	return items, false, err
}

func (c *Cache) lookup(key string) (cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.now().Before(e.expires) {
		return cacheEntry{}, false
	}
	return e, true
}

func (c *Cache) store(key string, e cacheEntry, limit int64) {
	if limit <= 0 {
		limit = config.DefaultCacheBytes
	}
	e.size = int64(len(key)) + entrySize(e)
	if e.size > limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.entries[key]; ok {
		c.bytes[old.bucket] -= old.size
	} else {
		if len(c.entries) >= c.max {
			c.evict()
		}
		c.order = append(c.order, key)
	}
	if c.bytes[e.bucket]+e.size > limit {
		// Free a tenth more than the entry needs, as evict does: each
		// eviction walks every key, and a full source would otherwise
		// walk them on every miss.
		c.evictBytes(e.bucket, limit-e.size-limit/10, key)
	}
	c.entries[key] = e
	c.bytes[e.bucket] += e.size
}

// evictBytes drops the oldest entries of bucket (but keep) until the
// bucket holds at most room bytes. Runs with c.mu held.
func (c *Cache) evictBytes(bucket string, room int64, keep string) {
	kept := c.order[:0]
	for _, k := range c.order {
		e, ok := c.entries[k]
		if ok && k != keep && e.bucket == bucket && c.bytes[bucket] > room {
			c.bytes[bucket] -= e.size
			delete(c.entries, k)
			continue
		}
		kept = append(kept, k)
	}
	c.order = kept
}

// evict drops expired entries, then, if the cache is still full, the oldest
// ones. Runs with c.mu held.
func (c *Cache) evict() {
	now := c.now()
	kept := c.order[:0]
	for _, k := range c.order {
		if e := c.entries[k]; now.Before(e.expires) {
			kept = append(kept, k)
		} else {
			c.bytes[e.bucket] -= e.size
			delete(c.entries, k)
		}
	}
	// Free at least a tenth, so a full cache does not evict on every insert.
	for drop := len(kept) - c.max + max(c.max/10, 1); drop > 0 && len(kept) > 0; drop-- {
		e := c.entries[kept[0]]
		c.bytes[e.bucket] -= e.size
		delete(c.entries, kept[0])
		kept = kept[1:]
	}
	c.order = append(c.order[:0:0], kept...)
}

// getKey and queryKey identify a request: everything that changes its
// answer is in the key. %#v keeps "1" and 1 apart, as DynamoDB does.
func getKey(in mapper.GetItemInput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "get\x00%s\x00%s\x00%t\x00%q", in.Source, in.Table, in.ConsistentRead, in.Projection)
	for _, k := range in.Key {
		fmt.Fprintf(&b, "\x00%s=%#v", k.Name, k.Value)
	}
	return b.String()
}

func queryKey(in mapper.QueryInput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "query\x00%s\x00%s\x00%s\x00%t\x00%d\x00%q\x00%s=%#v", in.Source, in.Table, in.Index, in.ConsistentRead, in.Limit,
		in.Projection, in.Partition.Name, in.Partition.Value)
	if sp := in.SortPrefix; sp != nil {
		fmt.Fprintf(&b, "\x00%s^%#v", sp.Name, sp.Value)
	}
	return b.String()
}

// entrySize estimates the memory an entry's items take: their text and
// the Go structures around it. It errs on the large side.
func entrySize(e cacheEntry) int64 {
	n := int64(64) + valueSize(map[string]any(e.item))
	for _, it := range e.items {
		n += valueSize(map[string]any(it))
	}
	return n
}

func valueSize(v any) int64 {
	switch x := v.(type) {
	case string:
		return 16 + int64(len(x))
	case []byte:
		return 24 + int64(len(x))
	case []any:
		n := int64(24)
		for _, e := range x {
			n += 16 + valueSize(e)
		}
		return n
	case []string:
		n := int64(24)
		for _, e := range x {
			n += 16 + int64(len(e))
		}
		return n
	case map[string]any:
		n := int64(48)
		for k, e := range x {
			n += 32 + int64(len(k)) + valueSize(e)
		}
		return n
	}
	return 16
}
