package termtext

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s with every character that is not printable shown as an
// escape: \n, \t, \x1b, \u202e; invalid UTF-8 as \xNN. Tabs and line
// breaks are escaped too, so s stays on its line.
func Line(s string) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case printable(r):
			b.WriteRune(r)
		default:
			b.WriteString(escape(r))
		}
		i += size
	}
	return b.String()
}

// JSON escapes, as \uXXXX, every character of a JSON document that is not
// printable. encoding/json already escapes the C0 controls; DEL, the C1
// controls (U+009B is a CSI to some terminals) and format characters such
// as the bidi overrides it writes as they are. They only occur inside
// strings, where \u escapes mean the same character, so the document's
// value is unchanged. Line breaks and spaces between tokens stay.
func JSON(doc []byte) []byte {
	if safe(string(doc)) {
		return doc
	}
	var b strings.Builder
	s := string(doc)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n' || r == '\t' || r == '\r' || printable(r):
			b.WriteString(s[i : i+size])
		case r > 0xFFFF:
			r1, r2 := utf16Pair(r)
			fmt.Fprintf(&b, `\u%04x\u%04x`, r1, r2)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return []byte(b.String())
}

func safe(s string) bool {
	for _, r := range s {
		if !printable(r) {
			return false
		}
	}
	return utf8.ValidString(s)
}

// printable is a character that draws itself: a letter, mark, number,
// punctuation, symbol or the ASCII space. Controls, format characters
// (bidi overrides, zero-width ones), other spaces and unassigned code
// points are not.
func printable(r rune) bool {
	return r == ' ' || unicode.IsPrint(r) && !unicode.Is(unicode.Cf, r)
}

func escape(r rune) string {
	switch r {
	case '\n':
		return `\n`
	case '\t':
		return `\t`
	case '\r':
		return `\r`
	}
	switch {
	case r < 0x80:
		return fmt.Sprintf(`\x%02x`, r)
	case r <= 0xFFFF:
		return fmt.Sprintf(`\u%04x`, r)
	}
	return fmt.Sprintf(`\U%08x`, r)
}

func utf16Pair(r rune) (rune, rune) {
	r -= 0x10000
	return 0xD800 + (r>>10)&0x3FF, 0xDC00 + r&0x3FF
}
