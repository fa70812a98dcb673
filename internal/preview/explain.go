package preview

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// WriteExplain writes what one evaluation did: for every source, the lookup
// it made and what came back; for every rule, whether it fired and why.
// evalErr is the evaluation's error, if the event failed.
func WriteExplain(w io.Writer, t *mapper.Trace, evalErr error) {
	fmt.Fprintln(w, "Sources, in lookup order:")
	if len(t.Sources) == 0 {
		fmt.Fprintln(w, "  (none: the mapping reads only the event)")
	}
	for _, s := range t.Sources {
		writeSource(w, s)
	}
	fmt.Fprintln(w, "\nRules, in mapping order:")
	if len(t.Rules) == 0 {
		fmt.Fprintln(w, "  (none ran)")
	}
	for _, r := range t.Rules {
		writeRule(w, r)
	}
	fmt.Fprintln(w)
	if evalErr != nil {
		fmt.Fprintf(w, "The event failed: %s\n", authoring.DescribeError(evalErr))
		return
	}
	fmt.Fprintln(w, "The event succeeded.")
}

func writeSource(w io.Writer, s mapper.SourceTrace) {
	var status string
	switch {
	case s.Err != nil:
		status = "failed: " + s.Err.Error()
	case s.Skipped != "":
		status = "skipped: " + s.Skipped
	case !s.Found:
		status = "ran, found nothing"
	case s.Query != nil:
		status = fmt.Sprintf("ran, found %d items", s.Items)
	default:
		status = "ran, found the item"
	}
	if s.Get != nil || s.Query != nil {
		status += fmt.Sprintf(" (took %s)", s.Duration.Round(time.Microsecond))
	}
	fmt.Fprintf(w, "  %s: %s\n", s.Name, status)
	field := func(name, value string) { fmt.Fprintf(w, "      %-10s %s\n", name+":", value) }
	field("table", s.Table)
	if s.Index != "" {
		field("index", s.Index)
	}
	if s.When != nil {
		field("when", fmt.Sprint(*s.When))
	}
	if g := s.Get; g != nil {
		parts := make([]string, len(g.Key))
		for i, k := range g.Key {
			parts[i] = k.Name + " = " + Show(k.Value)
		}
		field("key", strings.Join(parts, ", "))
	}
	if q := s.Query; q != nil {
		desc := q.Partition.Name + " = " + Show(q.Partition.Value)
		if sp := q.SortPrefix; sp != nil {
			desc += ", " + sp.Name + " begins with " + Show(sp.Value)
		}
		if q.Limit > 0 {
			desc += fmt.Sprintf(", at most %d items", q.Limit)
		}
		field("query", desc)
	}
	if s.Projection == nil {
		field("asked for", "every attribute (an expression reads the whole item)")
	} else {
		field("asked for", strings.Join(s.Projection, ", "))
	}
	if s.Found {
		field("fetched", strings.Join(attributes(s.Value()), ", "))
	}
}

// attributes lists the attribute names of an item or of a list of items.
func attributes(v any) []string {
	names := map[string]bool{}
	add := func(it any) {
		if m, ok := it.(map[string]any); ok {
			for k := range m {
				names[k] = true
			}
		}
	}
	if list, ok := v.([]any); ok {
		for _, it := range list {
			add(it)
		}
	} else {
		add(v)
	}
	out := make([]string, 0, len(names))
	for k := range names {
		out = append(out, k)
	}
	sort.Strings(out)
	if len(out) == 0 {
		return []string{"(no attributes)"}
	}
	return out
}

func writeRule(w io.Writer, r mapper.RuleTrace) {
	name := r.Path
	if r.Kind == "suppress" {
		name += fmt.Sprintf(" (%v)", r.Value)
	}
	var status, detail string
	switch {
	case r.Err != nil:
		// expr's message may carry a caret snippet on the lines after the first.
		msg, snippet, _ := strings.Cut(mapper.PlainError(strings.ReplaceAll(r.Err.Error(), "<nil>", "null")), "\n")
		status = "failed: " + msg
		if snippet != "" {
			detail = snippet + "\n"
		}
		if r.Note != "" {
			detail += r.Note + "\n"
		}
	case r.Fired && r.Kind == "suppress":
		status = "fired"
	case r.Fired:
		status = "fired, value " + Show(r.Value)
	default:
		status = "did not fire"
		if r.Note != "" {
			status += ": " + r.Note
		}
	}
	if r.Fired && r.Note != "" && r.Err == nil {
		status += "; " + r.Note
	}
	fmt.Fprintf(w, "  %s: %s\n", name, status)
	if r.When != nil {
		fmt.Fprintf(w, "      %-10s %v\n", "when:", *r.When)
	}
	if r.OnError != "" {
		from := "the mapping's onClaimError"
		if r.OwnPolicy {
			from = "its own onError"
		}
		fmt.Fprintf(w, "      %-10s %s (%s)\n", "on error:", r.OnError, from)
	}
	for _, line := range strings.SplitAfter(detail, "\n") {
		if line != "" {
			fmt.Fprint(w, "      "+line)
		}
	}
}
