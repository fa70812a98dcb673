package lint

import (
	"bytes"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

// GitHub annotations must escape what would end a property or the message.
func TestGitHubAnnotationEscaping(t *testing.T) {
	t.Parallel()
	if got := ghProperty("a:b,c%\n"); got != "a%3Ab%2Cc%25%0A" {
		t.Errorf("ghProperty = %q", got)
	}
	if got := ghData("50% done\nnext: x, y"); got != "50%25 done%0Anext: x, y" {
		t.Errorf("ghData = %q", got)
	}
}

func TestWriteFindings(t *testing.T) {
	t.Parallel()
	src := []byte("claims:\n\tname: usr.x\r\n")
	at := func(line, col int, sev config.Severity, path string) config.Finding {
		f := config.Finding{File: "m.yaml", Severity: sev, Rule: "r", Path: path, Message: "bad"}
		f.Pos.Line, f.Pos.Column = line, col
		return f
	}
	tests := []struct {
		name         string
		f            config.Finding
		text, github string
	}{
		{"a caret under the column, tabs kept and CR dropped", at(2, 8, config.SevError, "claims.name"),
			"m.yaml:2:8: error: claims.name: bad [r]\n  \tname: usr.x\n  \t      ^\n",
			"::error file=m.yaml,line=2,col=8,title=r::claims.name: bad\n"},
		{"a finding without a position names only the file", at(0, 0, config.SevWarning, ""),
			"m.yaml: warning: bad [r]\n",
			"::warning file=m.yaml,line=0,col=0,title=r::bad\n"},
		{"a line past the end shows no source", at(9, 1, config.SevInfo, ""),
			"m.yaml:9:1: info: bad [r]\n",
			"::notice file=m.yaml,line=9,col=1,title=r::bad\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var text, gh bytes.Buffer
			WriteText(&text, tt.f, src)
			writeGitHub(&gh, tt.f)
			if text.String() != tt.text {
				t.Errorf("text:\n%q\nwant\n%q", text.String(), tt.text)
			}
			if gh.String() != tt.github {
				t.Errorf("github:\n%q\nwant\n%q", gh.String(), tt.github)
			}
		})
	}
}

func TestWriteJSONKeepsMarkupAndWritesAnEmptyArray(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := writeJSON(&b, nil); err != nil || b.String() != "[]\n" {
		t.Errorf("nil findings: %q, %v", b.String(), err)
	}
	b.Reset()
	f := config.Finding{File: "m.yaml", Severity: config.SevError, Rule: "r", Path: "p", Message: "a < b & c"}
	if err := writeJSON(&b, []JSONFinding{toJSON(f)}); err != nil || !strings.Contains(b.String(), `"message": "p: a < b & c"`) {
		t.Errorf("got %s, %v", b.String(), err)
	}
}

func TestPrinter(t *testing.T) {
	t.Parallel()
	if _, err := NewPrinter(nil, "xml"); err == nil || err.Error() != `--format should be text, json or github, not "xml"` {
		t.Errorf("a bad format: %v", err)
	}
	f := config.Finding{File: "m.yaml", Severity: config.SevError, Rule: "r", Message: "bad"}
	want := map[string]string{
		FormatText:   "m.yaml: error: bad [r]\n",
		FormatGitHub: "::error file=m.yaml,line=0,col=0,title=r::bad\n",
		FormatJSON:   "[\n  {\n    \"file\": \"m.yaml\",\n    \"line\": 0,\n    \"column\": 0,\n    \"severity\": \"error\",\n    \"rule\": \"r\",\n    \"message\": \"bad\"\n  }\n]\n",
	}
	for format, text := range want {
		var b bytes.Buffer
		p, err := NewPrinter(&b, format)
		if err != nil {
			t.Fatal(err)
		}
		p.Print([]config.Finding{f}, nil)
		if err := p.Close(); err != nil || b.String() != text || p.Printed() != 1 {
			t.Errorf("%s: %q, %v, want %q", format, b.String(), err, text)
		}
	}
}

// A long line is shown only around the finding, with the caret still under
// its character, so a one-line expression with many findings does not
// print the whole expression under each.
func TestLongLinesAreClippedAroundTheCaret(t *testing.T) {
	long := strings.Repeat("a + ", 2000) + "nope"
	src := []byte("version: 1\nclaims:\n  é: '" + long + "'\n")
	col := 7 + len(long) - 4 // the n of nope, in characters
	var b strings.Builder
	WriteText(&b, config.Finding{File: "m.yaml", Pos: config.Pos{Line: 3, Column: col}, Severity: config.SevError, Rule: "unknown-name", Message: "unknown name"}, src)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %q", b.String())
	}
	shown, caret := []rune(lines[1]), []rune(lines[2])
	if len(shown) > shownChars+2+2 || !strings.HasPrefix(lines[1], "  …") {
		t.Errorf("the line is not clipped: %d characters", len(shown))
	}
	if at := len(caret) - 1; at >= len(shown) || string(shown[at:at+4]) != "nope" {
		t.Errorf("the caret is not under nope:\n%s\n%s", lines[1], lines[2])
	}
	// A short line is shown whole.
	b.Reset()
	WriteText(&b, config.Finding{File: "m.yaml", Pos: config.Pos{Line: 2, Column: 1}, Severity: config.SevError, Rule: "r", Message: "m"}, src)
	if !strings.Contains(b.String(), "\n  claims:\n  ^\n") {
		t.Errorf("got %q", b.String())
	}
}
