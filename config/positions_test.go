package config

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// A double-quoted scalar is decoded as YAML decodes it, so a byte is
// placed where the text that wrote it stands, whatever escapes and line
// breaks come before it.
func TestDoubleQuotedPositions(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, text string
		want       string // line:column of the value's last byte
	}{
		{"an escape before", `"\u0041${A}\` + "\n      ${B}\"", "2:10"},
		{"a folded line break", "\"a\n   b\"", "2:4"},
		{"two line breaks", "\"a\n\n   b\"", "3:4"},
		{"blanks before a break", "\"a   \n  b\"", "2:3"},
		{"an escaped quote", `"say \"hi\" x"`, "1:16"},
		{"a four-byte escape", `"\U0001F600x"`, "1:15"},
		{"escaped blanks kept", `"a\t \` + "\n  b\"", "2:3"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := []byte("v: " + tt.text + "\n")
			var doc yaml.Node
			if err := yaml.Unmarshal(src, &doc); err != nil {
				t.Fatal(err)
			}
			n := doc.Content[0].Content[1]
			p := &parser{src: src, lineStarts: yamlnode.LineStarts(src)}
			if at := p.doubleQuoted(p.lineStarts[n.Line-1]+n.Column, n.Value); at == nil {
				t.Fatalf("%q was not decoded as YAML decodes it (%q)", tt.text, n.Value)
			}
			at := p.positions(n)
			last := at[len(at)-1]
			if got := fmt.Sprintf("%d:%d", last.Line, last.Column); got != tt.want {
				t.Errorf("last byte at %s, want %s (value %q)", got, tt.want, n.Value)
			}
		})
	}
}

// Every double-quoted text YAML reads is decoded to the same value, so no
// position falls back to the alignment for a form the decoder lacks.
func TestDoubleQuotedDecodesAsYAML(t *testing.T) {
	t.Parallel()
	parts := []string{"a", "${X}", " ", "  ", `\"`, `\\`, `\t`, `\n`, `\u00e9`, `\x41`, `\U0001F600`, `\0`, `\N`, `\_`, `\L`, `\P`, `\/`, `\ `, "\n", "\n\n", "\\\n", "é", "\t"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		text := b.String()
		src := []byte("v: \"" + strings.ReplaceAll(text, "\n", "\n  ") + "x\"\n")
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil {
			continue
		}
		n := doc.Content[0].Content[1]
		p := &parser{src: src, lineStarts: yamlnode.LineStarts(src)}
		if at := p.doubleQuoted(p.lineStarts[n.Line-1]+n.Column, n.Value); at == nil {
			t.Fatalf("case %d: %q was not decoded as YAML decodes it (%q)", i, src, n.Value)
		}
	}
}

// A column counts characters, as YAML's own positions and editors do: a
// place inside an expression after "é" is where an editor shows it.
func TestColumnsCountCharacters(t *testing.T) {
	t.Parallel()
	src := "version: 1\nclaims:\n  café: '\"éé\" + nope'\n  b: |\n    \"ü\" +\n      \"ö\" + nöpe\n"
	m, fs := Parse("m.yaml", []byte(src), Options{})
	if m == nil {
		t.Fatal(fs)
	}
	for _, tt := range []struct {
		claim        int
		line, column int // as expr reports them
		want         Pos
	}{
		{0, 1, 0, Pos{3, 10}},  // the opening quote of "éé"
		{0, 1, 7, Pos{3, 17}},  // nope
		{1, 2, 8, Pos{6, 13}},  // nöpe
		{1, 2, 10, Pos{6, 15}}, // its p
	} {
		if got := m.Claims[tt.claim].Value.PosAt(tt.line, tt.column); got != tt.want {
			t.Errorf("claim %d, %d:%d is at %v, want %v", tt.claim, tt.line, tt.column, got, tt.want)
		}
	}
}

// A byte inside a character is in that character's column, whichever way
// posOf reaches it: from the line's start or on from the last position.
func TestBytesInsideACharacterShareItsColumn(t *testing.T) {
	t.Parallel()
	src := []byte("ab\néx\n")
	p := &parser{src: src, lineStarts: yamlnode.LineStarts(src)}
	want := []Pos{{1, 1}, {1, 2}, {1, 3}, {2, 1}, {2, 1}, {2, 2}, {2, 3}}
	for off, w := range want {
		if got := p.posOf(off); got != w {
			t.Errorf("in order: byte %d at %v, want %v", off, got, w)
		}
	}
	for off := len(want) - 1; off >= 0; off-- {
		if got := (&parser{src: src, lineStarts: p.lineStarts}).posOf(off); got != want[off] {
			t.Errorf("alone: byte %d at %v, want %v", off, got, want[off])
		}
	}
}
