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

func TestWithinGivesThePathInsideTheFolderOnly(t *testing.T) {
	t.Parallel()
	dir, elsewhere := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(dir, "events"), 0o755)
	os.WriteFile(filepath.Join(dir, "events", "a.json"), nil, 0o644)
	os.WriteFile(filepath.Join(elsewhere, "a.json"), nil, 0o644)
	os.Symlink(elsewhere, filepath.Join(dir, "out"))
	os.Symlink(filepath.Join(dir, "events", "a.json"), filepath.Join(elsewhere, "in.json"))
	tests := []struct {
		name, path, rel string
		ok              bool
	}{
		{"a file in a subfolder is inside", filepath.Join(dir, "events", "a.json"), "events/a.json", true},
		{"a file that does not exist yet is inside", filepath.Join(dir, "new.json"), "new.json", true},
		{"the parent folder is not", filepath.Join(dir, ".."), "", false},
		{"a climb out through dot-dot is not", filepath.Join(dir, "events", "..", "..", "x.json"), "", false},
		{"a sibling folder whose name starts alike is not", dir + "x/a.json", "", false},
		{"a link out of the folder is not", filepath.Join(dir, "out", "a.json"), "", false},
		{"a link from elsewhere into the folder is inside", filepath.Join(elsewhere, "in.json"), "events/a.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel, ok := Within(dir, tt.path)
			if rel != tt.rel || ok != tt.ok {
				t.Errorf("Within(%q) = %q, %v; want %q, %v", tt.path, rel, ok, tt.rel, tt.ok)
			}
		})
	}
}
