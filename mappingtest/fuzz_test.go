package mappingtest

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad checks that no tests: section, however malformed, makes Load panic.
func FuzzLoad(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range files {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		Load("testdata/fuzz.yaml", src)
	})
}
