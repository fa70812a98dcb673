package termtext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, in, want string }{
		{"plain text stays", "ana: fix the tenant claim (ünïcode)", "ana: fix the tenant claim (ünïcode)"},
		{"an escape sequence is shown", "\x1b[2J\x1b]8;;http://x\x07ok", `\x1b[2J\x1b]8;;http://x\x07ok`},
		{"line breaks and tabs stay on the line", "a\nb\r\tc", `a\nb\r\tc`},
		{"a C1 control is shown", "a\u009bb", `a\u009bb`},
		{"a bidi override is shown", "evil\u202etxt.exe", `evil\u202etxt.exe`},
		{"a zero-width space is shown", "a\u200bb", `a\u200bb`},
		{"invalid UTF-8 is shown byte by byte", "a\xffb", `a\xffb`},
		{"DEL is shown", "a\x7fb", `a\x7fb`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestLineLeavesNothingUnprintable: over every code point (and each alone
// in invalid UTF-8), Line's output has only printable characters.
func TestLineLeavesNothingUnprintable(t *testing.T) {
	t.Parallel()
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		out := Line("x" + string(r) + "y")
		if !safe(out) {
			t.Fatalf("Line(%U) = %q still holds an unprintable character", r, out)
		}
	}
	for b := 0x80; b <= 0xFF; b++ {
		if out := Line(string([]byte{'x', byte(b)})); !safe(out) {
			t.Fatalf("Line(0x%02x) = %q", b, out)
		}
	}
}

// TestJSONKeepsTheValue: the escaped document decodes to the same value,
// and holds no unprintable character outside line breaks.
func TestJSONKeepsTheValue(t *testing.T) {
	t.Parallel()
	in := map[string]string{"author": "a\x1b[31m\u009b\u202e\U0001F600\U000E0001\x7f", "message": "line\nbreak"}
	doc, err := json.MarshalIndent(in, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out := JSON(doc)
	for _, r := range string(out) {
		if r != '\n' && !printable(r) {
			t.Fatalf("JSON left %U in %s", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back["author"] != in["author"] || back["message"] != in["message"] || !utf8.Valid(out) || strings.Contains(string(out), "\x1b") {
		t.Errorf("decoded %q, want %q", back, in)
	}
}
