package localdata

import (
	"context"

	"github.com/claimsmapper/claimsmapper/internal/datafile"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Data is a set of tables held in memory, a mapper.Store. It is safe for
// concurrent use.
type Data struct{ d *datafile.Data }

var _ mapper.Store = (*Data)(nil)

// New returns Data serving the given tables, whose key schemas are
// inferred from their items.
func New(tables map[string][]mapper.Item) *Data { return &Data{datafile.New(tables)} }

// Parse reads a data file's contents; name is used in messages. It reports
// every problem in the file, each with its line and column: the error is a
// *config.Error holding them, unless the file is empty or holds more than
// one YAML document.
func Parse(name string, src []byte) (*Data, error) { return wrap(datafile.Parse(name, src)) }

// Load reads the data file at path.
func Load(path string) (*Data, error) { return wrap(datafile.Load(path)) }

func wrap(d *datafile.Data, err error) (*Data, error) {
	if err != nil {
		return nil, err
	}
	return &Data{d}, nil
}

// Rows returns every item of a table, and false when the data has no
// such table. The items are shared: do not change them.
func (d *Data) Rows(table string) ([]mapper.Item, bool) { return d.d.Rows(table) }

// GetItem returns the item whose key attributes equal in.Key, or nil when
// there is none; a table the data does not have is an error, as in
// DynamoDB.
func (d *Data) GetItem(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	return d.d.GetItem(ctx, in)
}

// Query returns the items of one partition, in sort-key order, projected
// and limited as in asks.
func (d *Data) Query(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
	return d.d.Query(ctx, in)
}
