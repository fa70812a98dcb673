package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

var update = flag.Bool("update", false, "rewrite golden files with the output the tests produce")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Check compares got with the file at path or, under -update, writes got
// to it (creating its folder).
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update accepts it):\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// ReadFile returns the file's contents, failing the test when it cannot be
// read: for inputs and expectations a test keeps in files.
func ReadFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Findings compares findings, one per line as "line:col: severity: path:
// message [rule]" with any snippet below, with the file at path.
func Findings(t testing.TB, path string, fs []config.Finding) {
	t.Helper()
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d: %s: ", f.Pos.Line, f.Pos.Column, f.Severity)
		if f.Path != "" {
			b.WriteString(f.Path + ": ")
		}
		fmt.Fprintf(&b, "%s [%s]\n", f.Message, f.Rule)
		for line := range strings.Lines(f.Snippet) {
			b.WriteString("    " + strings.TrimRight(line, "\n") + "\n")
		}
	}
	Check(t, path, []byte(b.String()))
}

// Cases runs check on every testdata/*.bad.yaml and compares what it finds
// with testdata/NAME.findings (see Findings), and requires at least one
// finding; every testdata/*.good.yaml must have none. It is how each
// package keeps its rule cases next to it, as Prometheus' rulefmt does.
func Cases(t *testing.T, check func(file string, src []byte) []config.Finding) {
	t.Helper()
	bad, _ := filepath.Glob("testdata/*.bad.yaml")
	if len(bad) == 0 {
		t.Fatal("no testdata/*.bad.yaml")
	}
	for _, file := range bad {
		name := strings.TrimSuffix(filepath.Base(file), ".bad.yaml")
		t.Run(name+" is found", func(t *testing.T) {
			fs := check(filepath.Base(file), ReadFile(t, file))
			if len(fs) == 0 {
				t.Errorf("%s has no finding", file)
			}
			Findings(t, "testdata/"+name+".findings", fs)
		})
	}
	good, _ := filepath.Glob("testdata/*.good.yaml")
	for _, file := range good {
		t.Run(filepath.Base(file)+" is clean", func(t *testing.T) {
			for _, f := range check(filepath.Base(file), ReadFile(t, file)) {
				t.Errorf("%s", f)
			}
		})
	}
}
