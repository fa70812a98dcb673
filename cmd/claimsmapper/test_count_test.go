package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/loadcount"
)

// `claimsmapper test` and `claimsmapper lint` parse a mapping's YAML once
// and compile it once, whatever the number of its inline tests: the tests:
// section is read from the one parse, and a test with its own env: binds
// the one compile rather than compiling again. loadcount counts every YAML
// parse of the mapping's text. Not parallel: the counts are the process's.
func TestTestAndLintParseAndCompileOnce(t *testing.T) {
	dir := t.TempDir()
	event := `{"version": "1", "triggerSource": "TokenGeneration_Authentication", "userName": "ben", "request": {"userAttributes": {}}}`
	if err := os.WriteFile(filepath.Join(dir, "event.json"), []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 10} {
		var b strings.Builder
		b.WriteString("version: 1\nsources:\n  user:\n    table: ${TABLE_NAME}\n    key: { userName: event.userName }\nclaims:\n  first: user.FirstName\n  table: { const: \"in-${TABLE_NAME}\" }\ntests:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - name: user %d\n    env: { TABLE_NAME: Users%d }\n    event: event.json\n    data: { tables: { Users%d: [ { userName: ben, FirstName: Ben%d } ] } }\n    expect: { idToken: { first: Ben%d, table: in-Users%d } }\n", i, i, i, i, i, i)
		}
		file := filepath.Join(dir, fmt.Sprintf("mapping%d.yaml", n))
		if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, cmd := range []string{"test", "lint"} {
			var stdout, stderr bytes.Buffer
			p0, c0 := loadcount.Counts()
			code := run(context.Background(), []string{cmd, file}, strings.NewReader(""), &stdout, &stderr)
			p1, c1 := loadcount.Counts()
			if code != cli.ExitOK {
				t.Fatalf("%s on %d tests: exit %d\n%s%s", cmd, n, code, stdout.String(), stderr.String())
			}
			if cmd == "test" && !strings.Contains(stdout.String(), fmt.Sprintf("%d passed, 0 failed", n)) {
				t.Errorf("test on %d tests, each with its own env:, should pass them all:\n%s", n, stdout.String())
			}
			if p1-p0 != 1 || c1-c0 != 1 {
				t.Errorf("%s on a mapping with %d tests parsed its YAML %d times and compiled it %d times, want once each", cmd, n, p1-p0, c1-c0)
			}
		}
	}
}
