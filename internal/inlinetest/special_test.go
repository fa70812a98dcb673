//go:build unix

package inlinetest

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A test naming a device or a pipe as its event or data file is a
// finding, not a read that never ends: lint must finish on any mapping.
func TestAnEventOrDataFileThatIsNotAFileIsAFinding(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "mapping.yaml")
	for _, tt := range []struct{ name, test, rule, says string }{
		{"a device as the event is outside the folder, and never opened", "event: /dev/zero", "tests-outside-folder", "outside the mapping's folder"},
		{"a pipe as the event", "event: pipe.json", "tests-event", "is not a file but a device or a pipe"},
		{"a pipe as the data", "event: { version: '1', userName: ben }\n    data: pipe.json", "tests-data", "is not a file but a device or a pipe"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := "version: 1\ntests:\n  - name: t\n    " + tt.test + "\n    expect: { idToken: {} }\n"
			_, fs := Parse(file, []byte(src))
			if len(fs) != 1 || fs[0].Rule != tt.rule || !strings.Contains(fs[0].Message, tt.says) {
				t.Errorf("findings = %v", fs)
			}
		})
	}
}
