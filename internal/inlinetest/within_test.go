package inlinetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseWithinReadsOnlyTheMappingsFolder(t *testing.T) {
	t.Parallel()
	dir, elsewhere := t.TempDir(), t.TempDir()
	event := `{"version": "1", "triggerSource": "TokenGeneration_Authentication", "userName": "ben", "request": {"userAttributes": {}}}`
	os.WriteFile(filepath.Join(dir, "event.json"), []byte(event), 0o644)
	os.WriteFile(filepath.Join(elsewhere, "event.json"), []byte(event), 0o644)
	os.Symlink(filepath.Join(elsewhere, "event.json"), filepath.Join(dir, "link.json"))
	file := filepath.Join(dir, "mapping.yaml")
	tests := []struct {
		name, event string
		outside     bool
	}{
		{"a file beside the mapping is read", "event.json", false},
		{"an absolute path elsewhere is not", filepath.Join(elsewhere, "event.json"), true},
		{"a relative path out of the folder is not", "../" + filepath.Base(elsewhere) + "/event.json", true},
		{"a link out of the folder is not", "link.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "version: 1\ntests:\n  - name: t\n    event: " + tt.event + "\n    expect: { idToken: {} }\n"
			suite, fs := ParseWithin(file, []byte(src), dir)
			got := len(fs) == 1 && fs[0].Rule == "tests-outside-folder" && strings.Contains(fs[0].Message, "outside the mapping's folder")
			if got != tt.outside || (tt.outside && len(suite.Cases) != 0) {
				t.Errorf("findings %v, %d tests", fs, len(suite.Cases))
			}
			if _, fs := Parse(file, []byte(src)); len(fs) != 0 {
				t.Errorf("Parse, with no folder given, reads every file: %v", fs)
			}
		})
	}
}
