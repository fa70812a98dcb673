package authoring

import (
	"fmt"
	"maps"
	"slices"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// MissingAttributes checks the attributes the mapping reads against items it
// runs on: rows returns a table's items, and false when there are none to
// judge by (a table the data does not have, or a lookup that found
// nothing). Each attribute that no item of its table has is reported once,
// as a warning with the closest attribute name that exists: a misspelled
// attribute otherwise reads as null, and its claim is silently left out.
func MissingAttributes(file string, reads []mapper.AttrRead, rows func(table string) ([]mapper.Item, bool)) []config.Finding {
	var out []config.Finding
	seen := map[[2]string]bool{}
	for _, r := range reads {
		k := [2]string{r.Table, r.Attr}
		if seen[k] {
			continue
		}
		items, ok := rows(r.Table)
		if !ok || len(items) == 0 {
			continue
		}
		names := map[string]bool{}
		for _, it := range items {
			for a := range it {
				names[a] = true
			}
		}
		if names[r.Attr] {
			continue
		}
		seen[k] = true
		list := slices.Sorted(maps.Keys(names))
		hint := ""
		if s := yamlnode.Suggest(r.Attr, list); s != "" {
			hint = fmt.Sprintf(" (did you mean %q?)", s)
		}
		msg := fmt.Sprintf("%s: none of the %d items in %s has an attribute %q%s, so it reads as null; the attributes there are %s",
			r.Expr(), len(items), r.Table, r.Attr, hint, quoteList(list))
		if len(items) == 1 {
			msg = fmt.Sprintf("%s: the item in %s has no attribute %q%s, so it reads as null; its attributes are %s",
				r.Expr(), r.Table, r.Attr, hint, quoteList(list))
		}
		out = append(out, config.Finding{File: file, Pos: r.Pos, Path: r.Path, Severity: config.SevWarning, Rule: "unknown-attribute", Message: msg})
	}
	return out
}

func quoteList(names []string) string {
	const max = 12
	s := ""
	for i, n := range names {
		if i == max {
			return s + fmt.Sprintf(" and %d more", len(names)-max)
		}
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", n)
	}
	return s
}
