package changes

import (
	"strings"
	"unicode/utf8"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// Masked stands for a number whose value is hidden.
const maskedNumber = "<number>"

// Mask hides a claim value past its first characters, so a diff can be
// pasted in a pull request without the users' data: text keeps at most its
// first three characters (fewer when short), numbers become "<number>",
// lists and objects are masked item by item, and true, false and null stay,
// since they say no more than that something changed.
func Mask(v any) any {
	switch v := v.(type) {
	case string:
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
			out[i] = Mask(x)
		}
		return out
	case []string:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = Mask(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = Mask(x)
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

// Masked returns a copy of the report with every claim value masked. Group,
// role and scope names and failure messages stay: they come from the
// mapping and the pool's configuration, not from a user's data.
func (r *Report) Masked() *Report {
	out := *r
	out.Changes = make([]Change, len(r.Changes))
	for i, c := range r.Changes {
		switch c.Kind {
		case KindClaim:
			c.Before, c.After = Mask(c.Before), Mask(c.After)
		case KindFailure:
			c.Before, c.After = maskFailure(c.Before), maskFailure(c.After)
		}
		out.Changes[i] = c
	}
	return &out
}

// typeChange says "text → true/false" when a changed value changes type,
// which a consumer of the token may care about more than the value.
func typeChange(c Change) string {
	if !c.HasBefore || !c.HasAfter {
		return ""
	}
	b, a := mapper.TypeName(c.Before), mapper.TypeName(c.After)
	if b == a {
		return ""
	}
	return b + " → " + a
}
