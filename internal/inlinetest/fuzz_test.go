package inlinetest

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that no input, however malformed, makes Parse panic.
// Package lint's fuzz target covers the mapping's loader and this together.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, dir := range []string{"../lint/testdata", "../../config/testdata", "../../mapper/testdata"} {
		more, _ := filepath.Glob(dir + "/*.yaml")
		files = append(files, more...)
	}
	for _, p := range files {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		Parse("testdata/fuzz.yaml", src)
	})
}
