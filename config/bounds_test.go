package config_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

// TestClosingBracketsFirstCountNoDepth: closing brackets before any
// opening one are a syntax error, not credit. Had they lowered the depth,
// a run of them would let as many opening brackets through the depth bound
// and on to expr's recursive parser. Each expression here is refused by
// the scan, with the rule that applies, at any size up to the file's.
func TestClosingBracketsFirstCountNoDepth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		code     string
		rule     string
		position string // line:col of the finding
	}{
		{"65 closing then 65 opening", strings.Repeat(")", 65) + strings.Repeat("(", 65) + "1", "expr-depth", "3:136"},
		{"1,999 closing then 1,999 opening", strings.Repeat(")", 1999) + strings.Repeat("(", 1999) + "1", "expr-depth", "3:2070"},
		{"mixed kinds", strings.Repeat("]}", 1000) + strings.Repeat("[{(", 600), "expr-depth", "3:2071"},
		{"50,000 closing then 50,000 opening", strings.Repeat(")", 50_000) + strings.Repeat("(", 50_000), "expr-size", ""},
		{"32,000 closing then 32,000 opening, under the length bound", strings.Repeat(")", 32_000) + strings.Repeat("(", 32_000), "expr-size", ""},
		{"50,000 pairs, closing first", strings.Repeat(")(", 50_000), "expr-size", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := fmt.Sprintf("version: 1\nclaims:\n  a: '%s'\n", tt.code)
			m, fs := config.Parse("m.yaml", []byte(src), config.Options{})
			var found *config.Finding
			for i := range fs {
				if fs[i].Rule == tt.rule && fs[i].Severity == config.SevError {
					found = &fs[i]
				}
			}
			if found == nil {
				t.Fatalf("no %s error; findings: %v", tt.rule, fs)
			}
			if tt.position != "" {
				if got := fmt.Sprintf("%d:%d", found.Pos.Line, found.Pos.Column); got != tt.position {
					t.Errorf("the finding is at %s, want %s", got, tt.position)
				}
			}
			if m != nil {
				for _, c := range m.Claims {
					if c.Value != nil {
						t.Errorf("the expression was kept for compiling")
					}
				}
			}
		})
	}
}

// TestBalancedBracketsStillPass: the clamp changes nothing for
// expressions that close what they open, nor for one closing bracket too
// many (expr reports that, with its caret).
func TestBalancedBracketsStillPass(t *testing.T) {
	t.Parallel()
	for _, code := range []string{
		strings.Repeat("(", 64) + "1" + strings.Repeat(")", 64),
		"[1, 2] + [(3)]",
		"(1))",
		strings.Repeat("(1)", 1000),
	} {
		src := fmt.Sprintf("version: 1\nclaims:\n  a: '%s'\n", code)
		_, fs := config.Parse("m.yaml", []byte(src), config.Options{})
		for _, f := range fs {
			if f.Rule == "expr-depth" || f.Rule == "expr-size" {
				t.Errorf("%.40s: %v", code, f)
			}
		}
	}
}
