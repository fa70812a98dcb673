package yamlnode

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/loadcount"
)

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// maxLocateSize bounds the prefix search in locateYAMLError, which parses
// the file once per line: mappings are a few kilobytes, fuzz inputs may not be.
const maxLocateSize = 64 << 10

// SyntaxError explains a YAML syntax error in src. yaml v3 gives only a
// line, and for parser errors the line where the enclosing block started
// rather than where the problem is; locateYAMLError finds the real line and
// column. rule is "indentation" for a key indented differently from its
// siblings, "yaml" otherwise; msg says what is wrong in plain words, with a
// hint. config explains a mapping's errors with it, the data files theirs.
func SyntaxError(src []byte, err error) (line, column int, rule, msg string) {
	p := &source{src: src, lineStarts: LineStarts(src)}
	msg, at := yamlMessage(err)
	pos := p.locateYAMLError(msg, at)
	if hint, _ := p.indentation(msg, pos.Line); hint != "" {
		return pos.Line, indentOf(p.lineText(pos.Line)) + 1, "indentation", hint
	}
	return pos.Line, pos.Column, "yaml", "this is not valid YAML: " + msg + p.yamlHint(msg, pos.Line)
}

// source is a file's text with where each of its lines starts.
type source struct {
	src        []byte
	lineStarts []int
}

type pos struct{ Line, Column int }

// LineStarts is the offset at which each line of src starts.
func LineStarts(src []byte) []int {
	starts := []int{0}
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// yamlMessage is a YAML error's message, without yaml's prefix and line,
// and the line yaml gave (1 when none).
func yamlMessage(err error) (msg string, line int) {
	msg = err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line = 1
	if sm := yamlLine.FindStringSubmatch(msg); sm != nil {
		line, _ = strconv.Atoi(sm[1])
		msg = sm[2]
	}
	return msg, line
}

// RepairIndentation returns src with the line a YAML indentation error is
// about lined up with the key above it, as the error's message suggests,
// or false when src has no such error; line is the line and shift how many
// columns it moved right (left when negative). mapper.Load reads the repaired text
// only to report, with the indentation error, the mistakes elsewhere in
// the file, which YAML's one error would otherwise hide until it is fixed;
// the repaired text is never run.
func RepairIndentation(src []byte) (out []byte, line, shift int, ok bool) {
	if len(src) > maxLocateSize || Scan(src) != nil {
		return nil, 0, 0, false
	}
	var doc yaml.Node
	loadcount.Parsed()
	err := yaml.Unmarshal(src, &doc)
	if err == nil {
		return nil, 0, 0, false
	}
	p := &source{src: src, lineStarts: LineStarts(src)}
	msg, at := yamlMessage(err)
	pos := p.locateYAMLError(msg, at)
	hint, col := p.indentation(msg, pos.Line)
	if hint == "" || col < 1 {
		return nil, 0, 0, false
	}
	start := p.lineStarts[pos.Line-1]
	ind := indentOf(p.lineText(pos.Line))
	out = make([]byte, 0, len(src)+col)
	out = append(out, src[:start]...)
	out = append(out, strings.Repeat(" ", col-1)...)
	out = append(out, src[start+ind:]...)
	return out, pos.Line, col - 1 - ind, true
}

// indentation explains a YAML error caused by a key indented differently
// from its siblings, or returns "". YAML's own messages ("mapping values are
// not allowed", "did not find expected key") suggest quoting or say nothing
// useful for what is the most common mistake of people new to YAML. col is
// the column the line most likely belongs at: its sibling's above.
func (p *source) indentation(msg string, line int) (hint string, col int) {
	text := p.lineText(line)
	key, ok := lineKey(text)
	if !ok {
		return "", 0
	}
	ind := indentOf(text)
	prev := p.contentLineBefore(line)
	if prev == 0 {
		return "", 0
	}
	prevText := p.lineText(prev)
	prevKey, prevIsKey := lineKey(prevText)
	prevInd := indentOf(prevText)
	switch {
	case strings.Contains(msg, "mapping values are not allowed") && ind > prevInd && prevIsKey && hasValue(prevText):
		// "value: x" then a deeper "tokens: y": YAML reads the second line
		// as more of the first one's text.
		return fmt.Sprintf("line %d is indented more than `%s:` on line %d; line it up with `%s:` (column %d)",
			line, prevKey, prev, prevKey, prevInd+1), prevInd + 1
	case strings.Contains(msg, "did not find expected key") && ind < prevInd && prevIsKey:
		parent, parentKey := p.parentLine(prev, prevInd)
		if parent > 0 && indentOf(p.lineText(parent)) >= ind {
			return "", 0
		}
		hint := fmt.Sprintf("line %d is indented less than `%s:` on line %d", line, prevKey, prev)
		if parent > 0 {
			return hint + fmt.Sprintf(" but more than `%s:` on line %d; line `%s:` up with one of them (column %d or %d)",
				parentKey, parent, key, prevInd+1, indentOf(p.lineText(parent))+1), prevInd + 1
		}
		return hint + fmt.Sprintf("; line it up with `%s:` (column %d)", prevKey, prevInd+1), prevInd + 1
	case strings.Contains(msg, "did not find expected key") && ind > prevInd && prevIsKey:
		return fmt.Sprintf("line %d is indented more than `%s:` on line %d; line it up with `%s:` (column %d)",
			line, prevKey, prev, prevKey, prevInd+1), prevInd + 1
	}
	return "", 0
}

// hasValue tells "key: value" from "key:", whose deeper next line is its
// child, not a sibling indented too far.
func hasValue(text string) bool {
	t := strings.TrimLeft(text, " ")
	t = strings.TrimPrefix(t, "- ")
	i := colonAt(t, 0)
	if i < 0 {
		return false
	}
	v := strings.TrimSpace(t[i+1:])
	return v != "" && !strings.HasPrefix(v, "#")
}

// lineKey returns the key a "key:" or "key: value" line starts with.
func lineKey(text string) (string, bool) {
	t := strings.TrimLeft(text, " ")
	t = strings.TrimPrefix(t, "- ")
	i := colonAt(t, 0)
	if i <= 0 || strings.ContainsAny(t[:i], "\"'{[#") {
		return "", false
	}
	return t[:i], true
}

func indentOf(text string) int { return len(text) - len(strings.TrimLeft(text, " ")) }

// contentLineBefore returns the last line before l that is neither blank
// nor a comment, or 0.
func (p *source) contentLineBefore(l int) int {
	for l--; l >= 1; l-- {
		t := strings.TrimSpace(p.lineText(l))
		if t != "" && !strings.HasPrefix(t, "#") {
			return l
		}
	}
	return 0
}

// parentLine returns the nearest line before l indented less than ind, and
// its key, or 0.
func (p *source) parentLine(l, ind int) (int, string) {
	for l--; l >= 1; l-- {
		t := p.lineText(l)
		if strings.TrimSpace(t) == "" || strings.HasPrefix(strings.TrimSpace(t), "#") {
			continue
		}
		if indentOf(t) < ind {
			k, _ := lineKey(t)
			return l, k
		}
	}
	return 0, ""
}

// yamlHint says in plain words what usually causes a YAML error on line.
func (p *source) yamlHint(msg string, line int) string {
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		return p.colonHint(line)
	case strings.Contains(msg, "cannot start any token"), strings.Contains(msg, "tab character"):
		return "; indent with spaces, not tabs, and put values starting with @ or ` in quotes"
	case strings.Contains(msg, "unexpected end of stream"):
		return "; a quote or bracket opened here is never closed"
	case strings.Contains(msg, "expected ',' or"):
		return "; close the bracket opened here, or put commas between the items"
	case strings.Contains(msg, "unknown anchor"):
		return "; define the anchor with &name before using *name"
	}
	return "; check the indentation and quoting on this line"
}

// colonHint says how to quote a value with a second ": " in it. Quotes
// around the value as written keep an expression an expression; the
// double quotes inside single ones that make text of it are only for text
// (a claim's fixed value), which const: says more plainly.
func (p *source) colonHint(line int) string {
	const generic = "; a second \": \" on one line needs the whole value in single quotes, as key: 'value'"
	text := p.lineText(line)
	t := strings.TrimLeft(text, " ")
	t = strings.TrimPrefix(t, "- ")
	i := colonAt(t, 0)
	if i <= 0 {
		return generic
	}
	key, value := t[:i], strings.TrimSpace(t[i+1:])
	if value == "" || strings.ContainsAny(value[:1], "'\"") {
		return generic
	}
	quoted := "'" + strings.ReplaceAll(value, "'", "''") + "'"
	// A claim written as key: value is an expression: fixed text there is
	// a const:.
	_, parent := p.parentLine(line, indentOf(text))
	if parent == "claims" && !looksLikeExpression(value) {
		return fmt.Sprintf("; a second \": \" on one line needs the whole value in quotes: for the text %s, write %s: { const: %q }", value, key, value)
	}
	return fmt.Sprintf("; a second \": \" on one line needs the whole value in single quotes: write %s: %s", key, quoted)
}

// reExpression finds what only an expression has: a name.field, a call,
// an operator, a ternary.
var reExpression = regexp.MustCompile(`[A-Za-z_]\w*\??\.[A-Za-z_]|\w\(|\?\?|==|!=|&&|\|\||\s\?\s`)

func looksLikeExpression(v string) bool { return reExpression.MatchString(v) }

// locateYAMLError finds where a YAML error is: the first line at which a
// prefix of the file fails with the same message, and on it the character
// the message is about. It falls back to the line yaml gave.
func (p *source) locateYAMLError(msg string, line int) pos {
	if len(p.src) <= maxLocateSize {
		for l := 1; l <= len(p.lineStarts); l++ {
			end := len(p.src)
			if l < len(p.lineStarts) {
				end = p.lineStarts[l]
			}
			var n yaml.Node
			err := yaml.Unmarshal(p.src[:end], &n)
			if err == nil {
				continue
			}
			got := strings.TrimPrefix(err.Error(), "yaml: ")
			if sm := yamlLine.FindStringSubmatch(got); sm != nil {
				got = sm[2]
			}
			if got == msg {
				line = l
				break
			}
		}
	}
	if line < 1 || line > len(p.lineStarts) {
		line = 1
	}
	return pos{Line: line, Column: yamlErrorColumn(msg, p.lineText(line))}
}

// lineText returns line l of the source without its line break.
func (p *source) lineText(l int) string {
	start := p.lineStarts[l-1]
	end := len(p.src)
	if l < len(p.lineStarts) {
		end = p.lineStarts[l] - 1
	}
	return strings.TrimSuffix(string(p.src[start:end]), "\r")
}

// yamlErrorColumn guesses, from the message, which character of text the
// error is about; it defaults to the first non-blank one.
func yamlErrorColumn(msg, text string) int {
	first := len(text) - len(strings.TrimLeft(text, " \t")) + 1
	if first > len(text) {
		first = 1
	}
	idx := -1
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		// The second "key: " on the line.
		if i := colonAt(text, 0); i >= 0 {
			idx = colonAt(text, i+1)
		}
	case strings.Contains(msg, "cannot start any token"):
		idx = strings.IndexAny(text, "\t@`")
	case strings.Contains(msg, "tab character"):
		idx = strings.IndexByte(text, '\t')
	case strings.Contains(msg, "unexpected end of stream"), strings.Contains(msg, "expected ',' or"):
		idx = unclosed(text)
	}
	if idx >= 0 {
		return idx + 1
	}
	return first
}

// colonAt returns the index of the first ':' at or after from that ends a
// key (followed by a blank or the end of the line), or -1.
func colonAt(text string, from int) int {
	for i := from; i < len(text); i++ {
		if text[i] == ':' && (i+1 == len(text) || text[i+1] == ' ' || text[i+1] == '\t') {
			return i
		}
	}
	return -1
}

// unclosed returns the index of the last quote or bracket on text that is
// not closed on it, or -1.
func unclosed(text string) int {
	var stack []int
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
				stack = stack[:len(stack)-1]
			}
		case c == '\'' || c == '"':
			quote = c
			stack = append(stack, i)
		case c == '[' || c == '{':
			stack = append(stack, i)
		case (c == ']' || c == '}') && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) == 0 {
		return -1
	}
	return stack[len(stack)-1]
}

// SecondDocument is where the --- (or ...) line that ends the first YAML
// document of src is, for a message refusing a second document: one that
// is not valid YAML has no position of its own.
func SecondDocument(src []byte) (line, column int) {
	lineStarts := LineStarts(src)
	content := false
	for i, start := range lineStarts {
		end := len(src)
		if i+1 < len(lineStarts) {
			end = lineStarts[i+1]
		}
		line := strings.TrimRight(string(src[start:end]), "\r\n")
		marker := line == "---" || line == "..." || strings.HasPrefix(line, "--- ") || strings.HasPrefix(line, "... ")
		switch {
		case marker && content:
			return i + 1, 1
		case marker, strings.TrimSpace(line) == "", strings.HasPrefix(strings.TrimSpace(line), "#"), strings.HasPrefix(line, "%"):
		default:
			content = true
		}
	}
	return 1, 1
}
