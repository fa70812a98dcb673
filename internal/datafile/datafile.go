package datafile

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/dynval"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Data is a set of tables held in memory. It is safe for concurrent use.
type Data struct {
	tables map[string]*table
}

// table is one table's items and what is known of its key schema.
type table struct {
	items []mapper.Item
	// keys maps the table's partition attribute to its declared sort key
	// ("" for none); nil when undeclared.
	keys    map[string]string
	indexes map[string]keySchema
}

type keySchema struct{ partition, sort string }

var _ mapper.Store = (*Data)(nil)

// New returns Data serving the given tables, whose key schemas are inferred.
func New(tables map[string][]mapper.Item) *Data {
	d := &Data{tables: map[string]*table{}}
	for name, items := range tables {
		d.tables[name] = &table{items: items}
	}
	return d
}

var (
	tableKeys  = []string{"keys", "indexes", "items"}
	schemaKeys = []string{"partition", "sort"}
)

// Parse reads a data file's contents; name is used in messages. It reports
// every problem in the file, each with its line and column.
func Parse(name string, src []byte) (*Data, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(src)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the data file is empty; start it with \"tables:\"", name)
		}
		line, col, rule, msg := yamlnode.SyntaxError(src, err)
		return nil, &config.Error{Findings: []config.Finding{{File: name, Pos: config.Pos{Line: line, Column: col}, Severity: config.SevError, Rule: rule, Message: msg}}}
	}
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
		// A second document that is not valid YAML has no position of its
		// own: point at the --- line that starts it.
		line, col := yamlnode.SecondDocument(src)
		return nil, fmt.Errorf("%s:%d:%d: a data file is one YAML document; remove the --- line and what follows, or merge the tables into the first document", name, line, col)
	}
	if len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: the data file is empty; start it with \"tables:\"", name)
	}
	d, fs := Decode(name, doc.Content[0], "")
	if len(fs) > 0 {
		return nil, &config.Error{Findings: fs}
	}
	return d, nil
}

// Decode reads tables from a YAML node: n is the mapping that holds
// tables:, a data file's top or an inline test's data:, and path is its
// place in messages ("" for a file). Every problem is a finding; the rule
// is "required", "value" or one of package yamlnode's kinds. Data is nil
// when there is a finding.
func Decode(file string, n *yaml.Node, path string) (*Data, []config.Finding) {
	var fs []config.Finding
	report := func(n *yaml.Node, path, rule, msg string) {
		fs = append(fs, config.Finding{File: file, Pos: config.Pos{Line: n.Line, Column: n.Column}, Path: path,
			Severity: config.SevError, Rule: rule, Message: msg})
	}
	r := yamlnode.Reader{Report: report, Top: "the data file"}
	fields := r.Object(n, path, []string{"tables"})
	if fields == nil {
		return nil, fs
	}
	e, ok := fields["tables"]
	if !ok {
		report(yamlnode.Deref(n), path, "required", fmt.Sprintf("%s needs \"tables:\", with a list of items under each table name", cmp.Or(path, "the data file")))
		return nil, fs
	}
	d := &Data{tables: map[string]*table{}}
	values := yamlnode.NewValueReader()
	tpath := yamlnode.Join(path, "tables")
	var entries []yamlnode.Entry
	if !yamlnode.IsNull(e.Val) {
		// Ordered reports a table written twice.
		entries = r.Ordered(e.Val, tpath)
	}
	for _, te := range entries {
		name := te.Key.Value
		t := &table{items: []mapper.Item{}}
		d.tables[name] = t
		items := yamlnode.Deref(te.Val)
		ipath := yamlnode.Join(tpath, name)
		if items.Kind == yaml.MappingNode && hasAny(items, tableKeys) {
			items = t.readSchema(r, items, ipath)
		}
		if items == nil || yamlnode.IsNull(items) {
			continue
		}
		if items.Kind != yaml.SequenceNode {
			report(items, ipath, yamlnode.KindType, fmt.Sprintf("table %q should be a list of items, each starting with \"- \", not %s", name, yamlnode.Describe(items)))
			continue
		}
		for j, it := range items.Content {
			row, err := item(values, it)
			if err != nil {
				var ve *yamlnode.ValueError
				if errors.As(err, &ve) {
					report(&yaml.Node{Line: ve.Line, Column: ve.Column}, fmt.Sprintf("%s[%d]", ipath, j), "value", ve.Msg)
				} else {
					report(it, fmt.Sprintf("%s[%d]", ipath, j), yamlnode.KindType, err.Error())
				}
				continue
			}
			t.items = append(t.items, row)
		}
	}
	if len(fs) > 0 {
		return nil, fs
	}
	return d, nil
}

// item reads an item within the file's alias budget, through the one value
// model. A problem is a *yamlnode.ValueError.
func item(vr *yamlnode.ValueReader, n *yaml.Node) (mapper.Item, error) {
	if d := yamlnode.Deref(n); d.Kind != yaml.MappingNode {
		return nil, &yamlnode.ValueError{Line: d.Line, Column: d.Column,
			Msg: "an item should be attribute: value pairs such as { userName: ben, FirstName: Ben }, not " + yamlnode.Describe(d)}
	}
	v, err := vr.Read(n)
	if err != nil {
		return nil, err
	}
	x, err := dynval.Data(v)
	if err != nil {
		return nil, err
	}
	return x.(map[string]any), nil
}

// hasAny reports whether the mapping node n has one of the keys.
func hasAny(n *yaml.Node, keys []string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if slices.Contains(keys, yamlnode.Deref(n.Content[i]).Value) {
			return true
		}
	}
	return false
}

// readSchema reads a table written as keys:, indexes: and items:, and
// returns the items node (nil when there is none).
func (t *table) readSchema(r yamlnode.Reader, n *yaml.Node, path string) *yaml.Node {
	fields := r.Object(n, path, tableKeys)
	if e, ok := fields["keys"]; ok {
		if s, ok := schema(r, e.Val, yamlnode.Join(path, "keys")); ok {
			t.keys = map[string]string{s.partition: s.sort}
		}
	}
	if e, ok := fields["indexes"]; ok {
		for _, ie := range r.Ordered(e.Val, yamlnode.Join(path, "indexes")) {
			if s, ok := schema(r, ie.Val, yamlnode.Join(yamlnode.Join(path, "indexes"), ie.Key.Value)); ok {
				if t.indexes == nil {
					t.indexes = map[string]keySchema{}
				}
				t.indexes[ie.Key.Value] = s
			}
		}
	}
	if e, ok := fields["items"]; ok {
		return yamlnode.Deref(e.Val)
	}
	return nil
}

// schema reads { partition: NAME, sort: NAME }, sort being optional.
func schema(r yamlnode.Reader, n *yaml.Node, path string) (keySchema, bool) {
	var s keySchema
	fields := r.Object(n, path, schemaKeys)
	if fields == nil {
		return s, false
	}
	e, ok := fields["partition"]
	if !ok {
		r.Report(yamlnode.Deref(n), path, "required", path+" needs partition: with the partition key's name")
		return s, false
	}
	s.partition, ok = r.Str(e.Val, yamlnode.Join(path, "partition"))
	if e, has := fields["sort"]; has {
		s.sort, _ = r.Str(e.Val, yamlnode.Join(path, "sort"))
	}
	return s, ok
}

// Load reads the data file at path.
func Load(path string) (*Data, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read data file: %w", err)
	}
	return Parse(path, src)
}

// Rows returns every item of a table, and false when the data has no
// such table. The items are shared: do not change them.
func (d *Data) Rows(table string) ([]mapper.Item, bool) {
	t, ok := d.tables[table]
	if !ok {
		return nil, false
	}
	return t.items, true
}

func (d *Data) table(name string) (*table, error) {
	t, ok := d.tables[name]
	if !ok {
		return nil, fmt.Errorf("table %q is not in the data file", name)
	}
	return t, nil
}

// GetItem returns the item whose key attributes equal in.Key.
func (d *Data) GetItem(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	t, err := d.table(in.Table)
	if err != nil {
		return nil, err
	}
	for _, it := range t.items {
		if matchesKey(it, in.Key) {
			return dynval.Project(it, in.Projection), nil
		}
	}
	return nil, ctx.Err()
}

func matchesKey(it mapper.Item, key []mapper.Attr) bool {
	for _, k := range key {
		if !dynval.KeysEqual(it[k.Name], k.Value) {
			return false
		}
	}
	return len(key) > 0
}

// Query returns the items of one partition, in sort-key order.
func (d *Data) Query(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
	t, err := d.table(in.Table)
	if err != nil {
		return nil, err
	}
	var out []mapper.Item
	for _, it := range t.items {
		if !dynval.KeysEqual(it[in.Partition.Name], in.Partition.Value) {
			continue
		}
		if sp := in.SortPrefix; sp != nil {
			s, ok := it[sp.Name].(string)
			prefix, _ := sp.Value.(string)
			if !ok || !strings.HasPrefix(s, prefix) {
				continue
			}
		}
		out = append(out, it)
	}
	sortKey, err := t.sortKey(in, out)
	if err != nil {
		return nil, err
	}
	if sortKey != "" {
		slices.SortStableFunc(out, func(a, b mapper.Item) int {
			c, _ := dynval.Compare(a[sortKey], b[sortKey])
			return c
		})
	}
	if in.Limit > 0 && len(out) > in.Limit {
		out = out[:in.Limit]
	}
	for i, it := range out {
		out[i] = dynval.Project(it, in.Projection)
	}
	return out, ctx.Err()
}

// sortKey says which attribute orders a query's items: the one declared,
// the one sortBeginsWith names, or the one the items imply.
func (t *table) sortKey(in mapper.QueryInput, items []mapper.Item) (string, error) {
	if in.Index != "" {
		if s, ok := t.indexes[in.Index]; ok {
			return s.sort, nil
		}
	} else if sk, ok := t.keys[in.Partition.Name]; ok {
		return sk, nil
	}
	if in.SortPrefix != nil {
		return in.SortPrefix.Name, nil
	}
	if len(items) < 2 {
		return "", nil
	}
	// Candidates: attributes every item has, with a key value (text or a
	// number) that differs from item to item.
	var candidates []string
	for name, v := range items[0] {
		if name == in.Partition.Name || !isKeyValue(v) {
			continue
		}
		if unique(items, name) {
			candidates = append(candidates, name)
		}
	}
	slices.Sort(candidates)
	switch {
	case len(candidates) == 0:
		return "", nil
	case len(candidates) == 1 || sameOrder(items, candidates):
		return candidates[0], nil
	}
	where := "table " + fmt.Sprintf("%q", in.Table)
	if in.Index != "" {
		where = "index " + fmt.Sprintf("%q", in.Index) + " of " + where
	}
	return "", fmt.Errorf("the data file does not say which attribute is the sort key of %s, and the items could be sorted by %s; declare it, e.g. %s: { keys: { partition: %s, sort: %s }, items: [...] }",
		where, strings.Join(candidates, " or "), in.Table, in.Partition.Name, candidates[0])
}

func isKeyValue(v any) bool {
	switch v.(type) {
	case string, int64, float64:
		return true
	}
	return false
}

func unique(items []mapper.Item, name string) bool {
	vals := make([]any, len(items))
	for i, it := range items {
		if !isKeyValue(it[name]) {
			return false
		}
		vals[i] = it[name]
	}
	// Sorted, equal values are neighbours. Text and numbers never compare
	// equal, and sort apart as incomparable (0) only next to each other.
	slices.SortFunc(vals, func(a, b any) int {
		if c, ok := dynval.Compare(a, b); ok {
			return c
		}
		if _, text := a.(string); text {
			return 1
		}
		return -1
	})
	for i := 1; i < len(vals); i++ {
		if dynval.KeysEqual(vals[i-1], vals[i]) {
			return false
		}
	}
	return true
}

// sameOrder reports whether every candidate sorts the items alike, so the
// choice among them cannot be observed.
func sameOrder(items []mapper.Item, candidates []string) bool {
	order := func(name string) []int {
		idx := make([]int, len(items))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			c, _ := dynval.Compare(items[a][name], items[b][name])
			return c
		})
		return idx
	}
	first := order(candidates[0])
	for _, c := range candidates[1:] {
		if !slices.Equal(first, order(c)) {
			return false
		}
	}
	return true
}
