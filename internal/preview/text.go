package preview

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

// ANSI colours, used only when the output is a terminal.
const (
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	red    = "\x1b[31m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

var marks = map[Change]string{Unchanged: " ", Added: "+", Overridden: "~", Suppressed: "-"}
var colours = map[Change]string{Added: green, Overridden: yellow, Suppressed: red}

// WriteText writes each token as a list of claims, marking what the mapping
// added (+), overrode (~) or suppressed (-), with each value's type (an app
// that reads "true" as text breaks when it becomes true under V2), and warns
// about tokens too large for common HTTP header limits.
func WriteText(w io.Writer, p *Preview, colour bool) {
	for i, t := range p.Tokens() {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (about %d bytes once signed)\n", t.Name, t.Size)
		width := 0
		for _, c := range t.Claims {
			width = max(width, len(c.Name))
		}
		for _, c := range t.Claims {
			line := fmt.Sprintf("  %s %-*s  %-10s  %s", marks[c.Change], width, c.Name, dynval.TypeName(c.Value), Show(c.Value))
			switch {
			case c.Change == Overridden && dynval.TypeName(c.Was) != dynval.TypeName(c.Value):
				line += fmt.Sprintf("  (overridden; was %s, %s)", dynval.TypeName(c.Was), Show(c.Was))
			case c.Change == Overridden:
				line += fmt.Sprintf("  (overridden; was %s)", Show(c.Was))
			case c.Change != Unchanged:
				line += "  (" + c.Change.String() + ")"
			case c.Placeholder:
				line += "  (placeholder)"
			}
			if col, ok := colours[c.Change]; ok && colour {
				line = col + line + reset
			} else if colour && c.Placeholder {
				line = dim + line + reset
			}
			fmt.Fprintln(w, line)
		}
	}
	writeSizeWarnings(w, p)
}

// WriteSizes writes each token's size and the warnings about it, for
// explain.
func WriteSizes(w io.Writer, p *Preview) {
	for _, t := range p.Tokens() {
		fmt.Fprintf(w, "The %s would be about %d bytes once signed.\n", t.Name, t.Size)
	}
	writeSizeWarnings(w, p)
}

// WriteJSON writes the tokens' payloads as preview --format json prints
// them ({"idToken": {...}, "accessToken": {...}}), and to warn a warning
// for each token too large for one HTTP header.
func WriteJSON(w, warn io.Writer, p *Preview) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p.Payloads()); err != nil {
		return err
	}
	for _, t := range p.Tokens() {
		if t.Size > MaxHeaderSize {
			fmt.Fprintf(warn, "warning: the %s would be about %d bytes, more than the %d bytes many servers accept in one HTTP header\n", t.Name, t.Size, MaxHeaderSize)
		}
	}
	return nil
}

// writeSizeWarnings warns about tokens past the sizes where they stop
// fitting in one HTTP header or one browser cookie.
func writeSizeWarnings(w io.Writer, p *Preview) {
	for _, t := range p.Tokens() {
		switch {
		case t.Size > MaxHeaderSize:
			fmt.Fprintf(w, "\nwarning: the %s would be about %d bytes, more than the %d bytes many servers and proxies accept in one HTTP header; put fewer or smaller claims in it\n",
				t.Name, t.Size, MaxHeaderSize)
		case t.Size > MaxCookieSize:
			fmt.Fprintf(w, "\nwarning: the %s would be about %d bytes, more than the %d bytes a browser keeps in one cookie; an app that stores it in a cookie must split it, or put fewer or smaller claims in it\n",
				t.Name, t.Size, MaxCookieSize)
		}
	}
}

// Names is every claim name of a and b, sorted: what a comparison of two
// tokens (diff) or of a token with a test's expectation walks.
func Names(a, b map[string]any) []string {
	names := make([]string, 0, len(a)+len(b))
	for k := range a {
		names = append(names, k)
	}
	for k := range b {
		names = append(names, k)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Same reports whether two claim values read the same in a token, the one
// rule diff and the inline tests judge by: the same JSON. A token is JSON,
// so the type matters: "1" and 1 differ, as do "true" and true, and lists
// keep their order; 1 and 1.0 are one number, and maps compare by key.
// A value that cannot be written as JSON is the same as no other.
func Same(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// Show writes a value as compact JSON, text in quotes, so that "42" and 42
// look different as they do in a token.
func Show(v any) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if enc.Encode(v) != nil {
		return "(a value that cannot be shown)"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// WarningLog returns a logger that keeps a mapping's warnings (a failed
// lookup, an omitted claim) as text lines for the mapping's author, without
// time or level: the inline tests show them under a failing test, the
// studio on its page.
func WarningLog(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if (a.Key == slog.TimeKey || a.Key == slog.LevelKey) && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// WriteChanges writes only what the mapping did to each token, as a short
// table (token, claim, value, what changed); a mapping that changed nothing
// says so.
func WriteChanges(w io.Writer, p *Preview) {
	type row struct{ token, name, value, change string }
	var rows []row
	for _, t := range p.Tokens() {
		for _, c := range t.Claims {
			if c.Change == Unchanged {
				continue
			}
			change := c.Change.String()
			if c.Change == Overridden {
				change += ", was " + Show(c.Was)
			}
			rows = append(rows, row{t.Name, c.Name, Show(c.Value), change})
		}
	}
	if len(rows) == 0 {
		fmt.Fprintln(w, "The mapping changes no claim for this sign-in.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TOKEN\tCLAIM\tVALUE\tCHANGE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.token, r.name, r.value, r.change)
	}
	tw.Flush()
}
