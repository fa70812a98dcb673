package preview

import (
	"context"
	"sync"

	"github.com/claimsmapper/claimsmapper/internal/dynval"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Recorder is a Store that remembers the items it returned, per table, so
// that the attributes a mapping reads can be checked against the items it
// actually ran on (authoring.MissingAttributes). It asks for whole items, so
// that it can say "did you mean Department?" (an author's tool may read a
// few more bytes), and hands the mapping only the attributes it asked for,
// as the function gets them.
type Recorder struct {
	Store mapper.Store
	mu    sync.Mutex
	items map[string][]mapper.Item
}

// GetItem implements mapper.Store.
func (r *Recorder) GetItem(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	proj := in.Projection
	in.Projection = nil
	it, err := r.Store.GetItem(ctx, in)
	if it == nil {
		return it, err
	}
	r.add(in.Table, it)
	return dynval.Project(it, proj), err
}

// Query implements mapper.Store.
func (r *Recorder) Query(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
	proj := in.Projection
	in.Projection = nil
	items, err := r.Store.Query(ctx, in)
	r.add(in.Table, items...)
	out := make([]mapper.Item, len(items))
	for i, it := range items {
		out[i] = dynval.Project(it, proj)
	}
	return out, err
}

func (r *Recorder) add(table string, items ...mapper.Item) {
	if len(items) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.items == nil {
		r.items = map[string][]mapper.Item{}
	}
	r.items[table] = append(r.items[table], items...)
}

// Rows returns the items returned from table, and false when none were.
func (r *Recorder) Rows(table string) ([]mapper.Item, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	items, ok := r.items[table]
	return items, ok
}
