package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/lint"
)

// lintCases is the project's testdata/lint, relative to this package and to
// the testdata folder goldenText writes in.
const lintCases = "../../testdata/lint/"

// TestLintCases lints testdata/lint: each NAME.bad.yaml must fail with the
// output in NAME.txt and NAME.json (go test -update rewrites them); each
// NAME.good.yaml must be clean. These few cases are for what the CLI adds
// (text with snippets, JSON, exit codes); the rules' own cases are next to
// the packages that find them (config/testdata, mapper/testdata,
// internal/lint/testdata).
func TestLintCases(t *testing.T) {
	bad, _ := filepath.Glob(lintCases + "*.bad.yaml")
	good, _ := filepath.Glob(lintCases + "*.good.yaml")
	if len(bad) == 0 || len(good) == 0 {
		t.Fatal("no lint cases in testdata/lint")
	}
	for _, file := range bad {
		name := strings.TrimSuffix(filepath.Base(file), ".bad.yaml")
		t.Run(name, func(t *testing.T) {
			code, out, errOut := execCLI(t, "", "lint", "--strict", file)
			if code != cli.ExitFailed || errOut != "" {
				t.Errorf("exit %d, want 1; stderr %q", code, errOut)
			}
			goldenText(t, "../"+lintCases+name+".txt", out)
			code, out, _ = execCLI(t, "", "lint", "--strict", "--format", "json", file)
			var findings []lint.JSONFinding
			if err := json.Unmarshal([]byte(out), &findings); err != nil || code != cli.ExitFailed || len(findings) == 0 {
				t.Errorf("json: exit %d, %v:\n%s", code, err, out)
			}
			goldenText(t, "../"+lintCases+name+".json", out)
		})
	}
	for _, file := range good {
		t.Run(filepath.Base(file), func(t *testing.T) {
			code, out, errOut := execCLI(t, "", "lint", "--strict", file)
			if code != cli.ExitOK || !strings.HasPrefix(out, "ok:") || errOut != "" {
				t.Errorf("exit %d, want a clean file:\n%s%s", code, out, errOut)
			}
		})
	}
}

// TestLintShippedMappings: every mapping the project ships is lint-clean
// where its variables are set.
func TestLintShippedMappings(t *testing.T) {
	t.Setenv("TABLE_NAME", "SampleUsers")
	t.Setenv("UNSET_TABLE_FOR_TESTS", "Users")
	files := []string{seedMapping, "../../testdata/full/mapping.yaml", tools + "mapping.yaml", tools + "failing.yaml", "../../deploy/mapping.yaml"}
	code, out, errOut := execCLI(t, "", append([]string{"lint", "--strict"}, files...)...)
	if code != cli.ExitOK || errOut != "" {
		t.Errorf("exit %d:\n%s%s", code, out, errOut)
	}
}

func TestLintFormatsAndUsage(t *testing.T) {
	file := lintCases + "protected.bad.yaml"
	code, out, _ := execCLI(t, "", "lint", "--format", "github", file)
	if code != cli.ExitFailed || !strings.HasPrefix(out, "::error file=../../testdata/lint/protected.bad.yaml,line=3,col=3,title=protected-claim::claims.sub: ") {
		t.Errorf("github format: exit %d:\n%s", code, out)
	}
	if code, _, errOut := execCLI(t, "version: 1\nclaims:\n  a: b.\n", "lint", "-"); code != cli.ExitFailed || errOut != "" {
		t.Errorf("standard input: exit %d, stderr %q", code, errOut)
	}
	for _, args := range [][]string{{"lint"}, {"lint", "--format", "xml", file}, {"lint", lintCases + "no-such-file.yaml"}} {
		if code, _, errOut := execCLI(t, "", args...); code != cli.ExitUsage || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
	// A warning fails only under --strict.
	warn := "version: 1\nsources:\n  u:\n    table: ${CLAIMSMAPPER_LINT_UNSET}\n    key: {k: event.userName}\nclaims:\n  a: event.userName\n"
	if code, _, _ := execCLI(t, warn, "lint", "-"); code != cli.ExitOK {
		t.Errorf("warnings alone: exit %d, want 0", code)
	}
	if code, _, _ := execCLI(t, warn, "lint", "--strict", "-"); code != cli.ExitFailed {
		t.Errorf("warnings with --strict: exit %d, want 1", code)
	}
}

// A mapping too big for CLAIMS_MAPPING gets an info finding, which does not
// fail lint even with --strict.
func TestLintLargeMappingSaysUseS3(t *testing.T) {
	var b strings.Builder
	b.WriteString("version: 1\nclaims:\n")
	for i := 0; b.Len() < 5000; i++ {
		fmt.Fprintf(&b, "  claim%03d: event.userName + \"-%03d\"\n", i, i)
	}
	code, out, _ := execCLI(t, b.String(), "lint", "--strict", "-")
	if code != cli.ExitOK || !strings.Contains(out, "info: this mapping is") || !strings.Contains(out, "deploy it from S3") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestSchemaCommandPrintsTheCheckedInSchema(t *testing.T) {
	code, out, _ := execCLI(t, "", "schema")
	want, err := os.ReadFile("../../docs/mapping.schema.json")
	if err != nil || code != cli.ExitOK || out != string(want) {
		t.Errorf("exit %d, err %v; schema differs from docs/mapping.schema.json", code, err)
	}
}

// Lint checks the tests: section but does not run it, and says so: authors
// took "ok" for "the tests pass".
func TestLintSaysTestsAreCheckedNotRun(t *testing.T) {
	t.Setenv("TABLE_NAME", "SampleUsers")
	code, out, _ := execCLI(t, "", "lint", seedMapping)
	want := "ok: 1 mapping file(s), no findings\n../../testdata/seed/mapping.yaml: on error: every rule is left out and the sign-in goes on (onClaimError: omit)\n2 inline tests were checked, not run: run `claimsmapper test ../../testdata/seed/mapping.yaml` to run them\n"
	if code != cli.ExitOK || out != want {
		t.Errorf("exit %d:\n%s\nwant:\n%s", code, out, want)
	}
	if code, out, _ := execCLI(t, "version: 1\nclaims:\n  a: event.userName\n", "lint", "-"); code != cli.ExitOK || strings.Contains(out, "not run") {
		t.Errorf("a mapping without tests: exit %d:\n%s", code, out)
	}
}

// A pull request's mapping may name any file as a test's event or data; lint
// and test run on the CI runner, whose files the pull request must not read
// back through a finding or an annotation.
func TestLintAndTestQuoteNoFileTheMappingNames(t *testing.T) {
	const secret = "ghp_s3cr3tT0k3nXYZ"
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "m"), 0o755)
	os.WriteFile(filepath.Join(dir, "netrc"), []byte("machine github.com login x password "+secret+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "m", "notes.txt"), []byte("password "+secret+"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "m", "cfg.json"), []byte(`{"version": "`+secret+`"}`), 0o600)
	mapping := filepath.Join(dir, "m", "mapping.yaml")
	os.WriteFile(mapping, []byte(`version: 1
claims:
  a: event.userName
tests:
  - name: outside
    event: ../netrc
    expect: { idToken: {} }
  - name: absolute
    event: `+filepath.Join(dir, "netrc")+`
    expect: { idToken: {} }
  - name: text
    event: notes.txt
    expect: { idToken: {} }
  - name: json
    event: cfg.json
    expect: { idToken: {} }
  - name: data
    event: { version: "1", userName: ben }
    data: notes.txt
    expect: { idToken: {} }
`), 0o644)
	for _, args := range [][]string{
		{"lint", mapping}, {"lint", "--format", "github", mapping}, {"lint", "--format", "json", mapping},
		{"test", mapping}, {"test", "--format", "junit", mapping},
	} {
		code, out, errOut := execCLI(t, "", args...)
		if code == cli.ExitOK {
			t.Errorf("%v: exit 0", args)
		}
		if strings.Contains(out+errOut, secret) {
			t.Errorf("%v quotes a file the mapping names:\n%s\n%s", args, out, errOut)
		}
	}
}

// lint --data evaluates every claim for every user of the file, and
// --env gives the table's name, so the warning about it is gone too.
func TestLintDataFindsClaimsThatFailForSomeUsers(t *testing.T) {
	t.Setenv("CLAIMS_MAPPING_ENV", "TABLE_NAME")
	const mapping = "testdata/someusers/mapping.yaml"
	code, out, errOut := execCLI(t, "", "lint", "--env", "TABLE_NAME=SampleUsers", "--data", "testdata/someusers/users.yaml", mapping)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	goldenText(t, "lint-someusers.txt", out)
	if strings.Contains(out, "env-unset") {
		t.Errorf("--env TABLE_NAME still warned:\n%s", out)
	}
	if code, _, _ := execCLI(t, "", "lint", "--strict", "--env", "TABLE_NAME=SampleUsers", "--data", "testdata/someusers/users.yaml", mapping); code != 1 {
		t.Errorf("--strict: exit %d, want 1 for the warning", code)
	}
	// Without sample data there is only the expression's hint.
	code, out, _ = execCLI(t, "", "lint", "--env", "TABLE_NAME=SampleUsers", mapping)
	if code != 0 || strings.Contains(out, "fails-for-some-users") || !strings.Contains(out, "join-may-fail") {
		t.Errorf("without --data: exit %d\n%s", code, out)
	}
	code, _, errOut = execCLI(t, "", "lint", "--data", "testdata/someusers/nothing.yaml", mapping)
	if code != 2 || !strings.Contains(errOut, "nothing.yaml") {
		t.Errorf("a missing --data file: exit %d, stderr %q", code, errOut)
	}
}

// A variable that no mapping of the run has is warned about once per run,
// not once per mapping or per reference.
func TestLintWarnsAboutAnUnsetVariableOncePerRun(t *testing.T) {
	t.Setenv("CLAIMS_MAPPING_ENV", "TABLE_NAME")
	os.Unsetenv("TABLE_NAME")
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"a.yaml", "b.yaml"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte("version: 1\nsources:\n  u: { table: '${TABLE_NAME}', key: { userName: event.userName } }\n  v: { table: '${TABLE_NAME}', key: { userName: event.userName } }\nclaims:\n  a: u.A\n  b: v.B\n"), 0o644)
		files = append(files, p)
	}
	_, out, _ := execCLI(t, "", append([]string{"lint"}, files...)...)
	if n := strings.Count(out, "[env-unset]"); n != 1 || !strings.Contains(out, "also used on line 4") {
		t.Errorf("%d env-unset warnings:\n%s", n, out)
	}
	_, out, _ = execCLI(t, "", append([]string{"lint", "--env", "TABLE_NAME=Users"}, files...)...)
	if strings.Contains(out, "[env-unset]") {
		t.Errorf("--env TABLE_NAME still warns:\n%s", out)
	}
}
