package config

import (
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// positions gives the place in the file of each byte of a scalar's value,
// for findings inside it (an expression's words, a ${NAME}). A
// double-quoted scalar is decoded as YAML decodes it, escapes and folded
// line breaks included, so a byte an escape writes is placed at its
// backslash; any other scalar is aligned with the raw text: every byte of
// the value appears in order there, and what lies between (quotes, line
// breaks and indentation of block and folded scalars) is skipped. If the
// decoding does not give the value (a YAML form it does not know), the
// alignment is used instead.
func (p *parser) positions(n *yaml.Node) []Pos {
	if n.Line < 1 || n.Line > len(p.lineStarts) {
		return nil
	}
	off := p.offsetOf(n.Line, n.Column)
	switch {
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		// Content starts on the line after the indicator.
		if n.Line >= len(p.lineStarts) {
			return nil
		}
		off = p.lineStarts[n.Line]
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if at := p.doubleQuoted(off+1, n.Value); at != nil {
			return at
		}
		off++
	case n.Style&yaml.SingleQuotedStyle != 0:
		off++
	}
	at := make([]Pos, len(n.Value))
	raw := p.src
	for i := 0; i < len(n.Value); i++ {
		c := n.Value[i]
		for off < len(raw) && !sameChar(raw[off], c) {
			off++
		}
		if off >= len(raw) {
			return at[:i]
		}
		at[i] = p.posOf(off)
		off++
	}
	return at
}

// doubleQuoted decodes the double-quoted scalar whose text starts at off
// (after its opening quote) as far as value's length, giving each decoded
// byte the place of the raw text that wrote it, or nil when the decoding
// is not value.
func (p *parser) doubleQuoted(off int, value string) []Pos {
	raw := p.src
	out := make([]byte, 0, len(value))
	at := make([]Pos, 0, len(value))
	emit := func(from int, b ...byte) {
		out = append(out, b...)
		for range b {
			at = append(at, p.posOf(from))
		}
	}
	space := -1 // where literal blanks not yet written start
	for off < len(raw) && len(out) < len(value) {
		c := raw[off]
		switch {
		case c == '"':
			off = len(raw)
			continue
		case c == ' ' || c == '\t':
			if space < 0 {
				space = off
			}
			off++
			continue
		case c == '\r' || c == '\n':
			// A line break folds: the blanks before it go, the
			// indentation after it goes, one break is a space and
			// n breaks are n-1 newlines.
			from, breaks := off, 0
			for off < len(raw) && (raw[off] == '\r' || raw[off] == '\n' || raw[off] == ' ' || raw[off] == '\t') {
				if raw[off] == '\n' {
					breaks++
				}
				off++
			}
			space = -1
			if breaks == 1 {
				emit(from, ' ')
			}
			for ; breaks > 1; breaks-- {
				emit(from, '\n')
			}
			continue
		}
		if space >= 0 {
			for i := space; i < off; i++ {
				emit(i, raw[i])
			}
			space = -1
		}
		if c != '\\' {
			emit(off, c)
			off++
			continue
		}
		from := off
		if off+1 >= len(raw) {
			return nil
		}
		e := raw[off+1]
		off += 2
		if r, ok := simpleEscapes[e]; ok {
			emit(from, utf8.AppendRune(nil, r)...)
			continue
		}
		if e == '\r' || e == '\n' {
			// An escaped line break is left out, with the next line's
			// indentation; each empty line after it is a newline.
			if e == '\r' && off < len(raw) && raw[off] == '\n' {
				off++
			}
			for {
				for off < len(raw) && (raw[off] == ' ' || raw[off] == '\t') {
					off++
				}
				if off >= len(raw) || (raw[off] != '\n' && raw[off] != '\r') {
					break
				}
				if raw[off] == '\r' && off+1 < len(raw) && raw[off+1] == '\n' {
					off++
				}
				emit(off, '\n')
				off++
			}
			continue
		}
		digits := 0
		switch e {
		case 'x':
			digits = 2
		case 'u':
			digits = 4
		case 'U':
			digits = 8
		}
		if digits == 0 || off+digits > len(raw) {
			return nil
		}
		var r rune
		for _, h := range raw[off : off+digits] {
			v, ok := hexValue(h)
			if !ok {
				return nil
			}
			r = r<<4 | rune(v)
		}
		off += digits
		emit(from, utf8.AppendRune(nil, r)...)
	}
	if len(out) < len(value) || string(out[:len(value)]) != value {
		return nil
	}
	return at[:len(value)]
}

// simpleEscapes are YAML's one-character escapes in double-quoted text.
var simpleEscapes = map[byte]rune{
	'0': 0, 'a': '\a', 'b': '\b', 't': '\t', '\t': '\t', 'n': '\n', 'v': '\v',
	'f': '\f', 'r': '\r', 'e': 0x1b, ' ': ' ', '"': '"', '/': '/', '\\': '\\',
	'N': 0x85, '_': 0xa0, 'L': 0x2028, 'P': 0x2029,
}

func hexValue(h byte) (byte, bool) {
	switch {
	case h >= '0' && h <= '9':
		return h - '0', true
	case h >= 'a' && h <= 'f':
		return h - 'a' + 10, true
	case h >= 'A' && h <= 'F':
		return h - 'A' + 10, true
	}
	return 0, false
}

func sameChar(raw, c byte) bool {
	if c == ' ' || c == '\n' {
		return raw == ' ' || raw == '\n'
	}
	return raw == c
}

// posOf is the line and column of the byte at off. A column counts
// characters, as YAML's own positions (and editors) do, not bytes. The
// callers ask in file order, so each line's characters are counted once
// (p.cursor) rather than from the line's start at every call.
func (p *parser) posOf(off int) Pos {
	c := &p.cursor
	if c.valid && off >= c.off && (c.line == len(p.lineStarts) || off < p.lineStarts[c.line]) {
		c.col += chars(p.src[min(c.off+1, len(p.src)):min(off+1, len(p.src))])
		c.off = off
		return Pos{Line: c.line, Column: c.col}
	}
	lo, hi := 0, len(p.lineStarts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if p.lineStarts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	start := p.lineStarts[lo]
	*c = cursor{valid: true, line: lo + 1, off: off, col: max(1, chars(p.src[start:min(max(off+1, start), len(p.src))]))}
	return Pos{Line: c.line, Column: c.col}
}

// chars counts the characters that start in b: a byte inside a
// character is in that character's column.
func chars(b []byte) int {
	n := 0
	for _, c := range b {
		if c&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// cursor is the last position posOf gave: the byte at off is in column col
// of line (1-based).
type cursor struct {
	valid          bool
	line, off, col int
}

// offsetOf is the byte offset of a node's line and column (in characters).
func (p *parser) offsetOf(line, col int) int {
	off := p.lineStarts[line-1]
	for ; col > 1 && off < len(p.src) && p.src[off] != '\n'; col-- {
		_, size := utf8.DecodeRune(p.src[off:])
		off += size
	}
	return off
}
