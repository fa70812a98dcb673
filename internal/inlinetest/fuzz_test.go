package inlinetest

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad checks that no input, however malformed, makes Load panic. Load
// is what claimsmapper lint runs, so this is lint's fuzz target too.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	lint, _ := filepath.Glob("../../testdata/lint/*.yaml")
	files = append(files, lint...)
	for _, p := range files {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		Load("testdata/fuzz.yaml", src)
	})
}
