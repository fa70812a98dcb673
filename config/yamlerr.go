package config

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// maxLocateSize bounds the prefix search in locateYAMLError, which parses
// the file once per line: mappings are a few kilobytes, fuzz inputs may not be.
const maxLocateSize = 64 << 10

// yamlError reports a YAML syntax error. yaml v3 gives only a line, and for
// parser errors the line where the enclosing block started rather than where
// the problem is; locateYAMLError finds the real line and column.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	line := 1
	if sm := yamlLine.FindStringSubmatch(msg); sm != nil {
		line, _ = strconv.Atoi(sm[1])
		msg = sm[2]
	}
	pos := p.locateYAMLError(msg, line)
	p.findings = append(p.findings, Finding{File: p.file, Pos: pos, Severity: SevError, Rule: "yaml",
		Message: "this is not valid YAML: " + msg + yamlHint(msg)})
}

// yamlHint says in plain words what usually causes a YAML error.
func yamlHint(msg string) string {
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		return "; a second \": \" on one line needs the whole value in quotes, e.g. '\"a: b\"'"
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

// locateYAMLError finds where a YAML error is: the first line at which a
// prefix of the file fails with the same message, and on it the character
// the message is about. It falls back to the line yaml gave.
func (p *parser) locateYAMLError(msg string, line int) Pos {
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
	return Pos{Line: line, Column: yamlErrorColumn(msg, p.lineText(line))}
}

// lineText returns line l of the source without its line break.
func (p *parser) lineText(l int) string {
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
