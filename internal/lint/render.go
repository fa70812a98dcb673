package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
)

// The formats findings are written in.
const (
	FormatText   = "text"
	FormatJSON   = "json"
	FormatGitHub = "github"
)

// JSONFinding is a finding as `lint --format json` prints it.
type JSONFinding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
}

// toJSON is f as --format json prints it.
func toJSON(f config.Finding) JSONFinding {
	return JSONFinding{File: f.File, Line: f.Pos.Line, Column: f.Pos.Column, Severity: f.Severity.String(), Rule: f.Rule, Message: WithPath(f)}
}

// writeJSON writes the findings as an indented JSON array, "<" and "&"
// kept as they are written.
func writeJSON(w io.Writer, fs []JSONFinding) error {
	if fs == nil {
		fs = []JSONFinding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(fs)
}

// WithPath prefixes the message with the YAML path it is about.
func WithPath(f config.Finding) string {
	if f.Path == "" {
		return f.Message
	}
	return f.Path + ": " + f.Message
}

// WriteText writes FILE:LINE:COL: SEVERITY: MESSAGE [rule] and the source
// line of src with a caret under the column.
func WriteText(w io.Writer, f config.Finding, src []byte) {
	where := f.File
	if f.Pos.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", f.File, f.Pos.Line, f.Pos.Column)
	}
	fmt.Fprintf(w, "%s: %s: %s [%s]\n", where, f.Severity, WithPath(f), f.Rule)
	if line, ok := sourceLine(src, f.Pos.Line); ok && f.Pos.Column > 0 {
		line, col := clipLine(line, f.Pos.Column)
		fmt.Fprintf(w, "  %s\n  %s^\n", line, caretPad(line, col))
	}
}

// sourceLine returns line n (1-based) of src, tabs kept.
func sourceLine(src []byte, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	for ; n > 1; n-- {
		i := bytes.IndexByte(src, '\n')
		if i < 0 {
			return "", false
		}
		src = src[i+1:]
	}
	if i := bytes.IndexByte(src, '\n'); i >= 0 {
		src = src[:i]
	}
	return strings.TrimRight(string(src), "\r"), true
}

// shownChars is how much of a long line is shown under a finding: a
// one-line expression may be thousands of characters, and a mapping with
// many findings on it would print it again under each.
const shownChars = 120

// clipLine cuts a line longer than shownChars to shownChars around column
// col (in characters), marking each cut with "…", and gives the caret's
// column in what is shown.
func clipLine(line string, col int) (string, int) {
	runes := []rune(line)
	if len(runes) <= shownChars {
		return line, col
	}
	from := max(0, min(col-1-shownChars/2, len(runes)-shownChars))
	to := from + shownChars
	shown, col := string(runes[from:to]), col-from
	if from > 0 {
		shown, col = "…"+shown, col+1
	}
	if to < len(runes) {
		shown += "…"
	}
	return shown, col
}

// caretPad is the indentation that puts a caret under column col (counted
// in characters), keeping tabs so the caret lines up.
func caretPad(line string, col int) string {
	var b strings.Builder
	i := 1
	for _, r := range line {
		if i >= col {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		i++
	}
	return b.String()
}

// writeGitHub writes f as a GitHub Actions workflow command annotation.
func writeGitHub(w io.Writer, f config.Finding) {
	level := "error"
	switch f.Severity {
	case config.SevWarning:
		level = "warning"
	case config.SevInfo:
		level = "notice"
	}
	fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", level,
		ghProperty(f.File), f.Pos.Line, f.Pos.Column, ghProperty(f.Rule), ghData(WithPath(f)))
}

// ghData and ghProperty escape as GitHub's workflow commands require.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// Printer writes findings in one format as they come: text and github at
// once, json as one array when it is closed.
type Printer struct {
	w      io.Writer
	format string
	all    []JSONFinding
}

// NewPrinter is a printer of the format FormatText, FormatJSON or
// FormatGitHub; any other is refused, in the words of --format.
func NewPrinter(w io.Writer, format string) (*Printer, error) {
	switch format {
	case FormatText, FormatJSON, FormatGitHub:
		return &Printer{w: w, format: format}, nil
	}
	return nil, fmt.Errorf("--format should be text, json or github, not %q", format)
}

// Print writes the findings of one mapping, src its text.
func (p *Printer) Print(fs []config.Finding, src []byte) {
	for _, f := range fs {
		switch p.format {
		case FormatText:
			WriteText(p.w, f, src)
		case FormatGitHub:
			writeGitHub(p.w, f)
		}
		p.all = append(p.all, toJSON(f))
	}
}

// Printed is how many findings were printed.
func (p *Printer) Printed() int { return len(p.all) }

// Close writes the JSON array, for FormatJSON.
func (p *Printer) Close() error {
	if p.format != FormatJSON {
		return nil
	}
	return writeJSON(p.w, p.all)
}
