package localdata

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Data is a set of tables held in memory. It is safe for concurrent use.
type Data struct {
	tables map[string][]mapper.Item
}

var _ mapper.Store = (*Data)(nil)

// New returns Data serving the given tables.
func New(tables map[string][]mapper.Item) *Data {
	return &Data{tables: tables}
}

// Parse reads a data file's contents; name is used in messages. It reports
// every problem in the file, each with its line and column.
func Parse(name string, src []byte) (*Data, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML or JSON: %s", name, strings.TrimPrefix(err.Error(), "yaml: "))
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
// is "required" or one of package yamlnode's kinds. Data is nil when there
// is a finding.
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
	tables := map[string][]mapper.Item{}
	tpath := yamlnode.Join(path, "tables")
	var entries []yamlnode.Entry
	if !yamlnode.IsNull(e.Val) {
		entries = r.Ordered(e.Val, tpath)
	}
	for _, t := range entries {
		items := yamlnode.Deref(t.Val)
		ipath := yamlnode.Join(tpath, t.Key.Value)
		if yamlnode.IsNull(items) {
			tables[t.Key.Value] = []mapper.Item{}
			continue
		}
		if items.Kind != yaml.SequenceNode {
			report(items, ipath, yamlnode.KindType, fmt.Sprintf("table %q should be a list of items, each starting with \"- \", not %s", t.Key.Value, yamlnode.Describe(items)))
			continue
		}
		list := []mapper.Item{}
		for j, it := range items.Content {
			var item map[string]any
			if yamlnode.Deref(it).Kind != yaml.MappingNode || it.Decode(&item) != nil {
				report(it, fmt.Sprintf("%s[%d]", ipath, j), yamlnode.KindType, "an item should be attribute: value pairs such as { userName: ben, FirstName: Ben }, not "+yamlnode.Describe(yamlnode.Deref(it)))
				continue
			}
			list = append(list, config.Normalize(item).(map[string]any))
		}
		tables[t.Key.Value] = list
	}
	if len(fs) > 0 {
		return nil, fs
	}
	return New(tables), nil
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
	items, ok := d.tables[table]
	return items, ok
}

func (d *Data) table(name string) ([]mapper.Item, error) {
	items, ok := d.tables[name]
	if !ok {
		return nil, fmt.Errorf("table %q is not in the data file", name)
	}
	return items, nil
}

// GetItem returns the item whose key attributes equal in.Key.
func (d *Data) GetItem(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	items, err := d.table(in.Table)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if matchesKey(it, in.Key) {
			return project(it, in.Projection), nil
		}
	}
	return nil, ctx.Err()
}

func matchesKey(it mapper.Item, key []mapper.Attr) bool {
	for _, k := range key {
		if !equal(it[k.Name], k.Value) {
			return false
		}
	}
	return len(key) > 0
}

// Query returns the items of one partition, in sort-key order.
func (d *Data) Query(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
	items, err := d.table(in.Table)
	if err != nil {
		return nil, err
	}
	var out []mapper.Item
	for _, it := range items {
		if !equal(it[in.Partition.Name], in.Partition.Value) {
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
	if in.SortPrefix != nil {
		name := in.SortPrefix.Name
		slices.SortStableFunc(out, func(a, b mapper.Item) int {
			as, _ := a[name].(string)
			bs, _ := b[name].(string)
			return cmp.Compare(as, bs)
		})
	}
	if in.Limit > 0 && len(out) > in.Limit {
		out = out[:in.Limit]
	}
	for i, it := range out {
		out[i] = project(it, in.Projection)
	}
	return out, ctx.Err()
}

// project copies the named attributes of an item; nil names mean all.
func project(it mapper.Item, names []string) mapper.Item {
	out := make(mapper.Item, len(it))
	if names == nil {
		for k, v := range it {
			out[k] = v
		}
		return out
	}
	for _, n := range names {
		if v, ok := it[n]; ok {
			out[n] = v
		}
	}
	return out
}

// equal compares key values as DynamoDB does: numbers by value, text exactly.
func equal(a, b any) bool {
	if fa, ok := number(a); ok {
		fb, ok := number(b)
		return ok && fa == fb
	}
	sa, ok := a.(string)
	sb, ok2 := b.(string)
	return ok && ok2 && sa == sb
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// Items returns the items of a table, for tools that list users; the
// items must not be changed.
func (d *Data) Items(table string) ([]mapper.Item, error) { return d.table(table) }
