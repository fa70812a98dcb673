package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryRuleIsDocumented: each rule a case finds (the NAME.findings of
// config, mapper and internal/lint, which lint's own tests check) has a
// row in "What lint checks", by its name or a prefix-* row. A new rule
// without docs fails here, not in an author's editor.
func TestEveryRuleIsDocumented(t *testing.T) {
	t.Parallel()
	md, err := os.ReadFile("mapping.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(md)
	start := strings.Index(text, "## What lint checks")
	if start < 0 {
		t.Fatal(`mapping.md has no "## What lint checks" section`)
	}
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	documented := map[string]bool{}
	var prefixes []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z0-9*-]+)`").FindAllStringSubmatch(section, -1) {
		documented[m[1]] = true
		if p, ok := strings.CutSuffix(m[1], "*"); ok {
			prefixes = append(prefixes, p)
		}
	}
	// Rows that name several rules: `a`, `b`, `c`.
	for _, m := range regexp.MustCompile("(?m)^\\| (`[a-z0-9-]+`(?:, `[a-z0-9-]+`)+) \\|").FindAllStringSubmatch(section, -1) {
		for _, r := range strings.Split(m[1], ", ") {
			documented[strings.Trim(r, "`")] = true
		}
	}
	var files []string
	for _, dir := range []string{"../config/testdata", "../mapper/testdata", "../internal/lint/testdata"} {
		fs, err := filepath.Glob(filepath.Join(dir, "*.findings"))
		if err != nil || len(fs) == 0 {
			t.Fatalf("no findings in %s: %v", dir, err)
		}
		files = append(files, fs...)
	}
	rule := regexp.MustCompile(`(?m)\[([a-z0-9-]+)\]$`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rule.FindAllStringSubmatch(string(b), -1) {
			r := m[1]
			ok := documented[r]
			for _, p := range prefixes {
				ok = ok || strings.HasPrefix(r, p)
			}
			if !ok {
				t.Errorf("%s: rule %q has no row in mapping.md's \"What lint checks\"", f, r)
				documented[r] = true // once per rule
			}
		}
	}
}
