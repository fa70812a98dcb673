package changes

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/claimsmapper/claimsmapper/internal/preview"
)

// Formats Write knows.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
)

// Options say how to write a report.
type Options struct {
	Format string
	// ShowValues writes the report as it is: claim values, and group,
	// role and scope names computed from data. Otherwise they are masked,
	// but for text the mappings write themselves (Literals).
	ShowValues bool
	// Literals is the text the two mappings write (LiteralsOf).
	Literals Literals
	// ShowUsers names users as they are; otherwise each is "user N".
	ShowUsers bool
	// Before and After name the two mappings in the heading.
	Before, After string
}

// markdownRows bounds the per-user table of a Markdown report: a pull
// request comment holds at most 65,536 characters.
const markdownRows = 200

// Write writes the report in opts.Format.
func Write(w io.Writer, r *Report, opts Options) error {
	shown := r
	switch {
	case !opts.ShowValues:
		shown = r.Masked(opts.Literals, opts.ShowUsers)
	case !opts.ShowUsers:
		shown = r.pseudonymous()
	}
	switch opts.Format {
	case FormatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			Users   int      `json:"users"`
			Changed int      `json:"changed"`
			Changes []Change `json:"changes"`
		}{shown.Users, shown.Changed, shown.Changes})
	case FormatMarkdown:
		writeMarkdown(w, r, shown, opts)
	case FormatText, "":
		writeText(w, r, shown, opts)
	default:
		return fmt.Errorf("unknown format %q: want text, json or markdown", opts.Format)
	}
	return nil
}

var tokenNames = map[string]string{"id": "ID token", "access": "access token"}

func writeText(w io.Writer, raw, shown *Report, opts Options) {
	if opts.Before != "" {
		fmt.Fprintf(w, "%s → %s\n\n", opts.Before, opts.After)
	}
	user, token := "", ""
	for i, c := range shown.Changes {
		if i == 0 || c.User != user {
			if i > 0 {
				fmt.Fprintln(w)
			}
			user, token = c.User, ""
			fmt.Fprintln(w, printable(c.User))
		}
		if c.Kind == KindFailure {
			if i > 0 && shown.Changes[i-1].Kind == KindFailure && shown.Changes[i-1].User == c.User {
				continue // the same failure, for the other token
			}
			if c.HasAfter {
				fmt.Fprintf(w, "  ! starts failing: %s\n", indent(strings.TrimPrefix(fmt.Sprint(c.After), "fails: ")))
			} else {
				fmt.Fprintf(w, "  + stops failing; it failed with: %s\n", indent(strings.TrimPrefix(fmt.Sprint(c.Before), "fails: ")))
			}
			continue
		}
		if c.Token != token {
			token = c.Token
			fmt.Fprintf(w, "  %s\n", tokenNames[c.Token])
		}
		fmt.Fprintf(w, "    %s\n", describe(c, raw.Changes[i], preview.Show))
	}
	if len(shown.Changes) > 0 {
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%s examined, %d changed.\n", plural(shown.Users, "user"), shown.Changed)
	for _, t := range shown.Summary {
		fmt.Fprintf(w, "  %s: %s\n", subject(t.Kind, t.Name), tallyText(t))
	}
	if note := maskNote(opts, shown); note != "" {
		fmt.Fprintln(w, note+".")
	}
}

// describe is one line of a text or Markdown report: a mark (+ gains,
// - loses, ~ changes), what changes and the values.
func describe(c, raw Change, show func(any) string) string {
	mark := map[string]string{"gains": "+", "loses": "-", "changes": "~"}[c.Effect()]
	s := mark + " " + subject(c.Kind, c.Name)
	if c.Kind != KindClaim && c.Kind != KindPreferredRole {
		return s
	}
	switch {
	case !c.HasBefore:
		s += ": " + show(c.After)
	case !c.HasAfter:
		s += ": was " + show(c.Before)
	default:
		s += ": " + show(c.Before) + " → " + show(c.After)
		if t := typeChange(raw); t != "" {
			s += " (" + t + ")"
		}
	}
	return s
}

func subject(k Kind, name string) string {
	name = printable(name)
	switch k {
	case KindClaim:
		return "claim " + name
	case KindGroups:
		return "group " + name
	case KindRoles:
		return "IAM role " + name
	case KindPreferredRole:
		return "preferred role"
	case KindScopes:
		return "scope " + name
	}
	return "failing events"
}

func tallyText(t Tally) string {
	if t.Kind == KindFailure {
		var parts []string
		if t.Gain > 0 {
			parts = append(parts, plural(t.Gain, "user")+" start failing")
		}
		if t.Lose > 0 {
			parts = append(parts, plural(t.Lose, "user")+" stop failing")
		}
		return strings.Join(parts, ", ")
	}
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{{t.Gain, "gained by"}, {t.Lose, "lost by"}, {t.Different, "changed for"}} {
		if p.n > 0 {
			parts = append(parts, p.verb+" "+plural(p.n, "user"))
		}
	}
	return strings.Join(parts, ", ")
}

// indent keeps a multi-line message (an expression error with its caret)
// inside the user's block.
func indent(s string) string {
	return strings.ReplaceAll(s, "\n", "\n      ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func writeMarkdown(w io.Writer, raw, shown *Report, opts Options) {
	title := "### Mapping change"
	if opts.Before != "" {
		title += ": " + mdCode(opts.Before) + " → " + mdCode(opts.After)
	}
	fmt.Fprintf(w, "%s\n\n", title)
	if shown.Changed == 0 {
		fmt.Fprintf(w, "No change for the %s examined.\n", plural(shown.Users, "user"))
		return
	}
	fmt.Fprintf(w, "**%d of %s examined get different tokens.**\n\n", shown.Changed, plural(shown.Users, "user"))
	fmt.Fprint(w, "| What | Gain | Lose | Change |\n|---|---:|---:|---:|\n")
	for _, t := range shown.Summary {
		if t.Kind == KindFailure {
			fmt.Fprintf(w, "| ⚠️ start failing / stop failing | %d | %d | |\n", t.Gain, t.Lose)
			continue
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d |\n", mdEscape(subject(t.Kind, t.Name)), t.Gain, t.Lose, t.Different)
	}
	fmt.Fprint(w, "\n<details><summary>Changes per user</summary>\n\n")
	fmt.Fprint(w, "| User | Token | Change | Before | After |\n|---|---|---|---|---|\n")
	rows := 0
	for i, c := range shown.Changes {
		if c.Kind == KindFailure && i > 0 && shown.Changes[i-1].Kind == KindFailure && shown.Changes[i-1].User == c.User {
			continue // the same failure, for the other token
		}
		if rows++; rows > markdownRows {
			fmt.Fprintf(w, "\n… and %d more changes (run claimsmapper diff to see them all).\n", len(shown.Changes)-i)
			break
		}
		what := map[string]string{"gains": "➕ ", "loses": "➖ ", "changes": "✏️ "}[c.Effect()] + mdEscape(subject(c.Kind, c.Name))
		token := tokenNames[c.Token]
		if c.Kind == KindFailure {
			what = map[bool]string{true: "⚠️ starts failing", false: "✅ stops failing"}[c.HasAfter]
			token = "every token"
		} else if t := typeChange(raw.Changes[i]); t != "" {
			what += " (" + t + ")"
		}
		before, after := "", ""
		if c.HasBefore {
			before = mdValue(c.Before, c.Kind)
		}
		if c.HasAfter {
			after = mdValue(c.After, c.Kind)
		}
		if c.Kind == KindFailure {
			// The first line says why; the caret snippet needs a wider place.
			before, after = firstLine(before), firstLine(after)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", mdEscape(printable(c.User)), token, what, before, after)
	}
	fmt.Fprint(w, "\n</details>\n")
	if note := maskNote(opts, shown); note != "" {
		fmt.Fprint(w, "\n_"+mdEscape(note)+"._\n")
	}
}

// maskNote says what the report hides and which option shows it, or "".
func maskNote(opts Options, shown *Report) string {
	var hidden, flags []string
	if !opts.ShowValues && len(shown.Changes) > 0 {
		hidden = append(hidden, "values computed from user data")
		flags = append(flags, "--show-values")
	}
	if !opts.ShowUsers && len(shown.Changes) > 0 {
		hidden = append(hidden, "user names")
		flags = append(flags, "--show-users")
	}
	if len(hidden) == 0 {
		return ""
	}
	return "Masked: " + strings.Join(hidden, " and ") + "; pass " + strings.Join(flags, " and ") + " to see them"
}

func firstLine(s string) string {
	if i := strings.Index(s, "  \\| "); i >= 0 {
		return s[:i] + ")`"
	}
	return s
}

func mdValue(v any, k Kind) string {
	if s, ok := v.(string); ok && k != KindClaim && k != KindPreferredRole {
		if k == KindFailure {
			s = strings.TrimPrefix(s, "fails: ")
		}
		return mdCode(s)
	}
	return mdCode(preview.Show(v))
}

// printable quotes a name that holds control characters: user names and
// group names come from data, and must not drive the reader's terminal.
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// mdCode writes s as inline code that a table cell can hold.
func mdCode(s string) string {
	s = strings.NewReplacer("`", "'", "\n", " ", "\r", " ", "|", "\\|").Replace(s)
	return "`" + s + "`"
}

// mdEscape keeps text from breaking a table row or becoming markup.
func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "*", "\\*", "_", "\\_", "`", "\\`", "[", "\\[").Replace(s)
}
