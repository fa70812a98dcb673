package mapper

import (
	"fmt"
	"regexp"
	"sort"

	"github.com/claimsmapper/claimsmapper/config"
)

// AttrRead is one attribute an expression reads of a source's item, such
// as Department in user.Department.
type AttrRead struct {
	Source string
	// Table is the source's table, its ${NAME} resolved when the mapping
	// was loaded.
	Table string
	Attr  string
	// Path is the expression's place in the mapping (claims.department) and
	// Pos where the attribute's name stands in the file.
	Path string
	Pos  config.Pos
}

// Expr writes the read as an expression would: user.Department, or
// user["custom:x"] for a name that is not a plain word.
func (r AttrRead) Expr() string {
	if identifier.MatchString(r.Attr) {
		return r.Source + "." + r.Attr
	}
	return fmt.Sprintf("%s[%q]", r.Source, r.Attr)
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// AttributeReads lists every attribute the mapping's expressions read of a
// source, in file order.
func (mp *Mapper) AttributeReads() []AttrRead { return mp.reads }

// allReads gathers the reads of every compiled expression in file order.
func (c *compiler) allReads() []AttrRead {
	var out []AttrRead
	for _, rs := range c.reads {
		out = append(out, rs...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Pos, out[j].Pos
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return out[i].Attr < out[j].Attr
	})
	return out
}

// nilReason says why an expression gave null when one of the attributes it
// reads is not there: "jdoe's item in SampleUsers has no attribute
// Department". It returns "" when every attribute it reads was there.
func (e *evaluation) nilReason(reads []AttrRead) string {
	for _, r := range reads {
		v := e.env[r.Source]
		item, isItem := v.(Item)
		if !isItem {
			continue // a query's list: which item lacks what is not one fact
		}
		st := e.sourceTrace(r.Source)
		switch {
		case st != nil && st.Skipped != "":
			return fmt.Sprintf("source %s was skipped (%s), so %s.%s is null", r.Source, st.Skipped, r.Source, r.Attr)
		case st != nil && st.Err != nil:
			return fmt.Sprintf("source %s failed, so %s.%s is null", r.Source, r.Source, r.Attr)
		case item == nil:
			return fmt.Sprintf("%s has no item with %s, so %s.%s is null", r.Table, keyText(st), r.Source, r.Attr)
		}
		if _, has := item[r.Attr]; !has {
			return fmt.Sprintf("%s has no attribute %s", itemName(st, r.Table), r.Attr)
		}
	}
	return ""
}

func (e *evaluation) sourceTrace(name string) *SourceTrace {
	for i := range e.trace.Sources {
		if e.trace.Sources[i].Name == name {
			return &e.trace.Sources[i]
		}
	}
	return nil
}

// itemName names the item a lookup found as an author thinks of it:
// "jdoe's item in SampleUsers", or by its key when that is not one piece
// of text.
func itemName(st *SourceTrace, table string) string {
	if st != nil && st.Get != nil && len(st.Get.Key) == 1 {
		if s, ok := st.Get.Key[0].Value.(string); ok && s != "" {
			return fmt.Sprintf("%s's item in %s", s, table)
		}
	}
	return fmt.Sprintf("the item in %s with %s", table, keyText(st))
}

// keyText writes the key a lookup used: userName = "jdoe".
func keyText(st *SourceTrace) string {
	if st == nil || st.Get == nil {
		return "the key asked for"
	}
	parts := ""
	for i, k := range st.Get.Key {
		if i > 0 {
			parts += ", "
		}
		if s, ok := k.Value.(string); ok {
			parts += fmt.Sprintf("%s = %q", k.Name, s)
		} else {
			parts += fmt.Sprintf("%s = %v", k.Name, k.Value)
		}
	}
	return parts
}
