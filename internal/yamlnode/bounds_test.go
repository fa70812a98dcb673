package yamlnode

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestScanAcceptsEveryMappingOfTheProject: the bounds are far above what a
// person writes, so no mapping, data file or test case the project ships is
// refused.
func TestScanAcceptsEveryMappingOfTheProject(t *testing.T) {
	t.Parallel()
	var files []string
	for _, glob := range []string{"../../testdata/*/*.yaml", "../../testdata/*.yaml", "../../config/testdata/*.yaml", "../../mapper/testdata/*.yaml", "../../docs/*.yaml"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d files", len(files))
	}
	for _, f := range files {
		if strings.Contains(f, "depth.bad") || strings.Contains(f, "size.bad") {
			continue // the bounds' own cases
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if b := Scan(src); b != nil {
			t.Errorf("%s: refused at byte %d: %s [%s]", f, b.Off, b.Msg, b.Rule)
		}
	}
}

func TestScanFindsTheBound(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, src, rule string }{
		{"flow", "a: " + strings.Repeat("[", 65) + strings.Repeat("]", 65), "yaml-depth"},
		{"block lists", "a:\n  " + strings.Repeat("- ", 65) + "x", "yaml-depth"},
		{"indentation", func() string {
			var b strings.Builder
			for i := range 70 {
				b.WriteString(strings.Repeat(" ", i) + "k:\n")
			}
			return b.String()
		}(), "yaml-depth"},
		{"items", "a: [" + strings.Repeat("1,", MaxNodes) + "1]", "yaml-size"},
		{"quoted text", "a: '" + strings.Repeat("x", MaxText+1) + "'", "text-size"},
		{"block text", "a: |\n" + strings.Repeat("  xxxxxxx\n", MaxText/10+1), "text-size"},
	} {
		if b := Scan([]byte(tt.src)); b == nil || b.Rule != tt.rule {
			t.Errorf("%s: got %+v, want %s", tt.name, b, tt.rule)
		}
	}
	// Brackets in quotes, comments and block texts are not structure.
	fine := "a: '" + strings.Repeat("[", 100) + "'\nb: \"" + strings.Repeat("{", 100) + "\" # " + strings.Repeat("[", 100) +
		"\nc: |\n  " + strings.Repeat("- ", 100) + "\nd: x[0] + y[1]\n"
	if b := Scan([]byte(fine)); b != nil {
		t.Errorf("refused %+v", b)
	}
}

// FuzzScan: the scan never panics, whatever the text.
func FuzzScan(f *testing.F) {
	for _, s := range []string{"a: [b, {c: d}]\n", "- - x\n", "a: |\n  t\nb: 'it''s'\n", "a: \"\\\"\"\n", "k: v # [\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if b := Scan(src); b != nil && (b.Off < 0 || b.Off > len(src)) {
			t.Fatalf("offset %d outside the text of %d bytes", b.Off, len(src))
		}
	})
}
