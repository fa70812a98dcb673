package changes

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

// Masked stands for a number whose value is hidden.
const maskedNumber = "<number>"

// Mask hides a claim value past its first characters, so a diff can be
// pasted in a pull request without the users' data: text keeps at most its
// first three characters (fewer when short), numbers become "<number>",
// lists and objects are masked item by item (an object's keys too, since
// data can name them: a phone number as a key), and true, false and null
// stay, since they say no more than that something changed. Text the mapping
// itself writes (lit) is shown as it is: it is no user's data.
func (lit Literals) Mask(v any) any {
	switch v := v.(type) {
	case string:
		if lit[v] {
			return v
		}
		n := utf8.RuneCountInString(v)
		keep := min(3, n/4)
		i := 0
		for k := 0; k < keep; k++ {
			_, size := utf8.DecodeRuneInString(v[i:])
			i += size
		}
		return v[:i] + "…"
	case bool, nil:
		return v
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = lit.Mask(x)
		}
		return out
	case []string:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = lit.Mask(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		keys := slices.Sorted(maps.Keys(v))
		hidden := 0
		for _, k := range keys {
			name := k
			if !lit[k] {
				// Numbered in sorted order, so two runs over the same data
				// write the same report.
				hidden++
				name = fmt.Sprintf("<key %d>", hidden)
			}
			out[name] = lit.Mask(v[k])
		}
		return out
	default:
		return maskedNumber
	}
}

// maskFailure keeps what fails (claim "age", source "user") but not the
// cause's detail, which can quote a value: "int(unknown)".
func maskFailure(v any) any {
	s, ok := v.(string)
	if !ok {
		return v
	}
	i := strings.Index(s, "(cause: ")
	if i < 0 {
		return s
	}
	head, cause := s[:i], s[i+len("(cause: "):]
	if j := strings.Index(cause, "\": "); j >= 0 && (strings.HasPrefix(cause, "claim \"") || strings.HasPrefix(cause, "source \"")) {
		return head + "(cause: " + cause[:j+1] + " fails; --show-values shows why)"
	}
	return head + "(cause hidden; --show-values shows it)"
}

// Masked returns a copy of the report fit for a pull request: every claim
// value masked (Literals.Mask); every group, role and scope name that the
// mapping does not write itself replaced by a numbered stand-in ("<group
// 1>"), since an expression over user data can make one ("ssn-078-05-1120");
// every failure's cause hidden; and, unless showUsers, every user named by a
// pseudonym ("user 1", "user 2", in the order they come), the same one for
// the same user throughout. The summary is counted again over the masked
// changes, so two hidden groups stay two lines.
func (r *Report) Masked(lit Literals, showUsers bool) *Report {
	out := *r
	out.Changes = make([]Change, len(r.Changes))
	users := pseudonyms{prefix: "user "}
	names := map[Kind]*pseudonyms{}
	for i, c := range r.Changes {
		if !showUsers {
			c.User = users.of(c.User)
		}
		switch c.Kind {
		case KindClaim, KindPreferredRole:
			c.Before, c.After = lit.Mask(c.Before), lit.Mask(c.After)
		case KindGroups, KindRoles, KindScopes:
			if !lit[c.Name] {
				if names[c.Kind] == nil {
					names[c.Kind] = &pseudonyms{prefix: "<" + hiddenNoun[c.Kind] + " ", suffix: ">"}
				}
				c.Name = names[c.Kind].of(c.Name)
				if c.HasBefore {
					c.Before = c.Name
				}
				if c.HasAfter {
					c.After = c.Name
				}
			}
		case KindFailure:
			c.Before, c.After = maskFailure(c.Before), maskFailure(c.After)
		}
		out.Changes[i] = c
	}
	out.Summary = summarize(out.Changes)
	return &out
}

// pseudonymous is the report with only the users' names replaced.
func (r *Report) pseudonymous() *Report {
	out := *r
	out.Changes = make([]Change, len(r.Changes))
	users := pseudonyms{prefix: "user "}
	for i, c := range r.Changes {
		c.User = users.of(c.User)
		out.Changes[i] = c
	}
	return &out
}

var hiddenNoun = map[Kind]string{KindGroups: "group", KindRoles: "role", KindScopes: "scope"}

// pseudonyms gives each distinct name a numbered stand-in, in the order the
// names come.
type pseudonyms struct {
	prefix, suffix string
	seen           map[string]string
}

func (p *pseudonyms) of(name string) string {
	if s, ok := p.seen[name]; ok {
		return s
	}
	if p.seen == nil {
		p.seen = map[string]string{}
	}
	s := p.prefix + strconv.Itoa(len(p.seen)+1) + p.suffix
	p.seen[name] = s
	return s
}

// typeChange says "text → true/false" when a changed value changes type,
// which a consumer of the token may care about more than the value.
func typeChange(c Change) string {
	if !c.HasBefore || !c.HasAfter {
		return ""
	}
	b, a := dynval.TypeName(c.Before), dynval.TypeName(c.After)
	if b == a {
		return ""
	}
	return b + " → " + a
}
