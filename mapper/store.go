package mapper

import (
	"context"
	"time"
)

// Item is one DynamoDB item as expressions see it: attribute name to value,
// where values are string, int64, float64, bool, nil, []any or map[string]any.
type Item = map[string]any

// Store reads items for the mapping's sources. Implementations must be safe
// for concurrent use: independent sources are looked up at the same time.
type Store interface {
	// GetItem returns the item with exactly the given key, or nil when there is none.
	GetItem(ctx context.Context, in GetItemInput) (Item, error)
	// Query returns the items whose partition key equals the given value and,
	// when SortPrefix is set, whose sort key begins with it, in sort-key order.
	Query(ctx context.Context, in QueryInput) ([]Item, error)
}

// Attr is an attribute name with a value.
type Attr struct {
	Name  string
	Value any
}

// GetItemInput asks for one item by its full key.
type GetItemInput struct {
	// Source is the name of the mapping's source that asks: a caching Store
	// keeps each source's results within that source's CacheBytes.
	Source string
	Table  string
	Key    []Attr
	// Projection lists the attributes to return; nil means all.
	Projection     []string
	ConsistentRead bool
	// CacheTTL is the source's cache: setting; a caching Store may keep the
	// result this long. 0 means do not cache.
	CacheTTL time.Duration
	// CacheBytes bounds the memory the source's cached results take
	// together (the cache: setting's maxBytes).
	CacheBytes int64
}

// QueryInput asks for the items of one partition.
type QueryInput struct {
	Source    string // as in GetItemInput
	Table     string
	Index     string
	Partition Attr
	// SortPrefix, when non-nil, keeps the items whose sort key begins with its value.
	SortPrefix *Attr
	// Limit caps the number of items; 0 means no cap.
	Limit          int
	Projection     []string
	ConsistentRead bool
	CacheTTL       time.Duration
	CacheBytes     int64
}
