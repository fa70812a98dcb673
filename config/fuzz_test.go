package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

// FuzzParse: no input makes the parser panic, and a mapping it accepts is
// complete enough to use.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/*/*.yaml")
	for _, dir := range []string{"testdata", "../mapper/testdata", "../internal/lint/testdata", "../testdata/lint"} {
		more, _ := filepath.Glob(dir + "/*.yaml")
		files = append(files, more...)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("version: 1\nclaims:\n  a: |\n    user.x +\n    1\n"))
	f.Add([]byte("&a [*a]"))
	f.Add([]byte("version: 1\nclaims:\n  a: { const: [\"${A}\", { b: \"$${A}${B:-x}\" }] }\n"))
	env := config.Env{Lookup: func(string) (string, bool) { return "T", true }, Allow: []string{"A", "TABLE_NAME"}}
	f.Fuzz(func(t *testing.T, src []byte) {
		m, fs := parseBound("fuzz.yaml", src, env)
		if err := config.Errors(fs); err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if m.Version != config.Current {
			t.Fatalf("accepted version %d", m.Version)
		}
		for _, c := range m.Claims {
			if c.Value == nil && c.Const == nil {
				t.Fatalf("claim %q accepted with neither value nor const", c.Name)
			}
		}
	})
}
