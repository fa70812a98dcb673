package mapper_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// nearMax is a hostile mapping's size: just under the 1 MiB the function
// loads.
const nearMax = config.MaxSize - 1024

// hostileMappings are mappings of about 1 MiB made to cost the YAML library
// or expr as much as they can, each with the rule that refuses it. Before
// the bounds (config/bounds.go) the first peaked at 1.09 GB and overflowed
// expr's parser stack, which no recover catches.
func hostileMappings() []struct{ name, src, rule string } {
	nest := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	lines := func(head string, line func(i int) string) string {
		var b strings.Builder
		b.WriteString(head)
		for i := 0; ; i++ {
			l := line(i)
			if b.Len()+len(l) > nearMax {
				return b.String()
			}
			b.WriteString(l)
		}
	}
	var indented strings.Builder
	indented.WriteString("version: 1\nclaims:\n")
	for i := 1; indented.Len() < nearMax-3000; i++ {
		fmt.Fprintf(&indented, "%sk%d:\n", strings.Repeat(" ", i), i)
	}
	bomb := "version: 1\nclaims:\n  x0:\n    const: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 12; i++ {
		bomb += fmt.Sprintf("  x%d:\n    const: &a%d [%s]\n", i, i, strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9)+fmt.Sprintf("*a%d", i-1))
	}
	return []struct{ name, src, rule string }{
		{"520,000 nested parentheses in one expression",
			"version: 1\nclaims:\n  x: '" + nest("(", ")", (nearMax-40)/2) + "'\n", "text-size"},
		{"30,000 nested parentheses, short enough to be an expression",
			"version: 1\nclaims:\n  x: '" + nest("(", ")", 30_000) + "'\n", "expr-depth"},
		{"nested flow lists",
			"version: 1\nclaims: " + nest("[", "]", (nearMax-40)/2) + "\n", "yaml-depth"},
		{"nested flow objects",
			"version: 1\nclaims: " + nest("{a: ", "}", (nearMax-40)/5) + "\n", "yaml-depth"},
		{"nested block lists on one line",
			"version: 1\nclaims:\n  x:\n    " + strings.Repeat("- ", (nearMax-40)/2) + "1\n", "yaml-depth"},
		{"block objects nested by indentation",
			indented.String(), "yaml-depth"},
		{"a flow list of 500,000 items",
			"version: 1\nclaims:\n  x: {const: [" + strings.Repeat("1,", (nearMax-60)/2) + "1]}\n", "yaml-size"},
		{"100,000 claims",
			lines("version: 1\nclaims:\n", func(i int) string { return fmt.Sprintf("  c%d: '1'\n", i) }), "yaml-size"},
		{"expressions of 8,000 tokens",
			lines("version: 1\nclaims:\n", func(i int) string { return fmt.Sprintf("  c%d: '%s1'\n", i, strings.Repeat("1+", 4000)) }), "expr-size"},
		{"expressions of 3,000 tokens adding up past the mapping's bound",
			lines("version: 1\nclaims:\n", func(i int) string { return fmt.Sprintf("  c%d: '%s1'\n", i, strings.Repeat("1+", 1500)) }), "mapping-size"},
		{"one plain expression line of 1 MiB",
			"version: 1\nclaims:\n  x: " + strings.Repeat("1+", (nearMax-40)/2) + "1\n", "text-size"},
		{"a block scalar of 1 MiB",
			"version: 1\nclaims:\n  x: |\n" + strings.Repeat("    1 +\n", (nearMax-40)/8) + "    1\n", "text-size"},
		{"aliases that expand to 10^12 values",
			bomb, "const-value"},
	}
}

// TestHostileMappingsAreRefusedCheaply: each hostile mapping is refused
// with its rule, a position and a fix, having allocated less than 64 MB in
// all (so its peak heap is under that too). The time they take is in the
// report of BenchmarkLoadHostile, not asserted here.
func TestHostileMappingsAreRefusedCheaply(t *testing.T) {
	none := func(string) (string, bool) { return "", false }
	for _, tt := range hostileMappings() {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.src) > config.MaxSize {
				t.Fatalf("the case is %d bytes, over the size limit", len(tt.src))
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			mp, fs := loaded(mapper.Load([]byte(tt.src), mapper.LoadOptions{File: "m.yaml", Env: config.Env{Lookup: none}}))
			runtime.ReadMemStats(&after)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("loading allocated %d MB, want under 64", alloc>>20)
			}
			if mp != nil {
				t.Fatal("the hostile mapping loaded")
			}
			var found *config.Finding
			for i, f := range fs {
				if f.Severity == config.SevError && f.Rule == tt.rule {
					found = &fs[i]
					break
				}
			}
			if found == nil {
				t.Fatalf("no %s error among %d findings: %v", tt.rule, len(fs), firstFindings(fs))
			}
			if found.Pos.Line < 1 || found.Pos.Column < 1 {
				t.Errorf("the finding has no position: %s", found)
			}
			if len(fs) > 200 {
				t.Errorf("%d findings: one refusal should not become thousands of lines", len(fs))
			}
		})
	}
}

func firstFindings(fs []config.Finding) []string {
	var out []string
	for i, f := range fs {
		if i == 3 {
			break
		}
		s := f.String()
		if len(s) > 200 {
			s = s[:200]
		}
		out = append(out, s)
	}
	return out
}

// BenchmarkLoadHostile times the refusal of each hostile mapping.
func BenchmarkLoadHostile(b *testing.B) {
	none := func(string) (string, bool) { return "", false }
	for _, tt := range hostileMappings() {
		b.Run(tt.name, func(b *testing.B) {
			src := []byte(tt.src)
			b.ReportAllocs()
			for b.Loop() {
				mapper.Load(src, mapper.LoadOptions{File: "m.yaml", Env: config.Env{Lookup: none}})
			}
		})
	}
}
