package lint_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// allSet and noneSet are the two environments the equivalence is checked
// under: every ${VAR} resolves, or none does. Both allow every variable a
// text names (but the reserved ones, which nothing allows), as an operator
// would list them in CLAIMS_MAPPING_ENV.
func allSet(src []byte) func(string) (string, bool) {
	allow := allowAll(src)
	return func(name string) (string, bool) {
		if name == config.EnvAllowVar {
			return allow, true
		}
		return "Users", true
	}
}

func noneSet(src []byte) func(string) (string, bool) {
	allow := allowAll(src)
	return func(name string) (string, bool) {
		if name == config.EnvAllowVar {
			return allow, true
		}
		return "", false
	}
}

// testsSetAll reports whether the inline tests' env: give a value to every
// ${NAME} the mapping names.
func testsSetAll(name string, src []byte) bool {
	suite, _ := inlinetest.Parse(name, src)
	refs := envRef.FindAllSubmatch(src, -1)
	if len(refs) == 0 {
		return false
	}
	for _, m := range refs {
		set := false
		for _, c := range suite.Cases {
			_, ok := c.Env[string(m[1])]
			set = set || ok
		}
		if !set {
			return false
		}
	}
	return true
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

func allowAll(src []byte) string {
	var names []string
	for _, m := range envRef.FindAllSubmatch(src, -1) {
		n := string(m[1])
		if _, err := config.AllowedEnv(func(string) (string, bool) { return n, true }); err == nil {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

// load is the function's loader under env: CLAIMS_MAPPING_ENV read from it
// as the function reads it.
func load(t *testing.T, name string, src []byte, env func(string) (string, bool)) (*mapper.Mapper, []config.Finding) {
	t.Helper()
	allow, err := config.AllowedEnv(env)
	if err != nil {
		t.Fatal(err)
	}
	return loaded(mapper.Load(src, mapper.LoadOptions{File: name, Env: config.Env{Lookup: env, Allow: allow}}))
}

// mappingErrors is what lint says is wrong with the mapping itself, without
// its tests: section, which the function ignores.
func mappingErrors(fs []config.Finding) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == config.SevError && !isTestsFinding(f) {
			out = append(out, f.String())
		}
	}
	return out
}

// checkEquivalence asserts that lint reports an error exactly when the
// function's loader refuses the text, with the same errors.
func checkEquivalence(t *testing.T, name string, src []byte) {
	t.Helper()
	lintErrs := mappingErrors(lint.Check(name, src, allSet(src)))
	mp, fs := load(t, name, src, allSet(src))
	loadErr := config.Errors(fs)
	if (len(lintErrs) > 0) != (loadErr != nil) || (mp == nil) != (loadErr != nil) {
		t.Fatalf("%s: lint errors %q, but load error %v", name, lintErrs, loadErr)
	}
	var loadErrs []string
	for _, f := range fs {
		if f.Severity == config.SevError {
			loadErrs = append(loadErrs, f.String())
		}
	}
	if strings.Join(lintErrs, "\n") != strings.Join(loadErrs, "\n") {
		t.Errorf("%s: lint and load report different errors:\nlint:\n%s\nload:\n%s", name, strings.Join(lintErrs, "\n"), strings.Join(loadErrs, "\n"))
	}
	// Where the variables are unset, lint warns and the function refuses,
	// unless the inline tests' env: gives every one: the author has
	// thought of them, and a warning on every run teaches only to ignore it.
	lintFs := lint.Check(name, src, noneSet(src))
	warned := len(mappingErrors(lintFs)) > 0 || testsSetAll(name, src)
	for _, f := range lintFs {
		warned = warned || f.Rule == "env-unset"
	}
	if _, fs := load(t, name, src, noneSet(src)); warned != (config.Errors(fs) != nil) {
		t.Errorf("%s with no variables set: lint warned or failed %v, load failed %v", name, warned, config.Errors(fs))
	}
}

// shipped is every YAML file in the project (mappings, data files, lint
// cases), every ```yaml example of its Markdown files and the fuzz corpus.
// Any text at all must get the same answer from lint and load.
func shipped(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git" || d.Name() == "cdk.out") {
			return filepath.SkipDir
		}
		ext := filepath.Ext(path)
		if !d.IsDir() && ext == ".md" {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for i, block := range yamlBlocks(string(b)) {
				files[path+"#"+strconv.Itoa(i)] = []byte(block)
			}
			return nil
		}
		if d.IsDir() || (ext != ".yaml" && ext != ".yml" && !strings.Contains(path, "testdata/fuzz/")) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(path, "testdata/fuzz/") {
			b = corpusEntry(t, path, b)
		}
		files[path] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// yamlBlocks returns the ```yaml examples of a Markdown file.
func yamlBlocks(md string) []string {
	var out []string
	var cur *strings.Builder
	for _, line := range strings.Split(md, "\n") {
		switch t := strings.TrimSpace(line); {
		case cur == nil && strings.HasPrefix(t, "```yaml"):
			cur = &strings.Builder{}
		case cur != nil && t == "```":
			out = append(out, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	return out
}

// corpusEntry reads the []byte of a Go fuzz corpus file.
func corpusEntry(t testing.TB, path string, b []byte) []byte {
	for _, line := range strings.Split(string(b), "\n") {
		if s, ok := strings.CutPrefix(line, "[]byte("); ok {
			if u, err := strconv.Unquote(strings.TrimSuffix(s, ")")); err == nil {
				return []byte(u)
			}
		}
	}
	t.Logf("%s: not a []byte corpus entry, read as it is", path)
	return b
}

func TestLintFailsExactlyWhenLoadFails(t *testing.T) {
	files := shipped(t)
	if len(files) < 50 {
		t.Fatalf("found only %d YAML files; is the walk rooted at the project?", len(files))
	}
	for name, src := range files {
		t.Run(name, func(t *testing.T) { checkEquivalence(t, name, src) })
	}
}

func TestLintAndLoadApplyTheSameSizeLimit(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("version: 1\nclaims:\n")
	for i := 0; b.Len() <= 1_200_000; i++ {
		b.WriteString("  claim" + strconv.Itoa(i) + ": { const: \"" + strings.Repeat("x", 200) + "\" }\n")
	}
	src := []byte(b.String())
	checkEquivalence(t, "big.yaml", src)
	fs := lint.Check("big.yaml", src, allSet(src))
	if len(mappingErrors(fs)) == 0 || fs[0].Rule != "size" {
		t.Fatalf("a %d-byte mapping linted without a size error: %v", len(src), fs)
	}
	if !strings.Contains(fs[0].Message, strconv.Itoa(config.MaxSize)) {
		t.Errorf("the message does not name the limit: %s", fs[0].Message)
	}
}

// FuzzLintMatchesLoad: for any text, lint reports an error exactly when the
// function's loader refuses it, and neither panics.
func FuzzLintMatchesLoad(f *testing.F) {
	for _, src := range shipped(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkEquivalence(t, "fuzz.yaml", src)
	})
}

// isTestsFinding tells a finding about the tests: section, which the
// function ignores, from one about the mapping itself.
func isTestsFinding(f config.Finding) bool {
	return strings.HasPrefix(f.Rule, "tests")
}

// A CLAIMS_MAPPING_ENV the function would refuse at start is an error of
// lint too, placed at the top of the file and saying which setting is
// wrong, so a mapping is not called clean where it cannot run.
func TestABadAllowListIsAnError(t *testing.T) {
	src := []byte("version: 1\nclaims:\n  tier: { value: '\"gold\"' }\n")
	env := func(name string) (string, bool) {
		if name == config.EnvAllowVar {
			return "TABLE_NAME, AWS_SECRET_ACCESS_KEY", true
		}
		return "", false
	}
	var errs []config.Finding
	for _, f := range lint.Check("mapping.yaml", src, env) {
		if f.Severity == config.SevError {
			errs = append(errs, f)
		}
	}
	if len(errs) != 1 {
		t.Fatalf("errors = %v, want one about %s", errs, config.EnvAllowVar)
	}
	f := errs[0]
	if f.Pos != (config.Pos{Line: 1, Column: 1}) || f.Rule != "env-not-allowed" ||
		!strings.Contains(f.Message, "CLAIMS_MAPPING_ENV: AWS_SECRET_ACCESS_KEY cannot be allowed") ||
		!strings.Contains(f.Message, "lint reads this setting from its own environment") {
		t.Errorf("finding = %s", f)
	}
}

// loaded is every finding of mapper.Load with its Mapper, as the tests
// before Load returned an error read them.
func loaded(mp *mapper.Mapper, warnings []config.Finding, err error) (*mapper.Mapper, []config.Finding) {
	return mp, authoring.Findings(mp, warnings, err)
}

// The tests: section is read from the one parse of the mapping (package
// mappingdoc), not from a parse of its own: whatever is wrong with it, lint
// still reports the mapping's errors exactly as the function's loader does,
// and the section's own mistakes besides, each at its place.
func TestLintMatchesLoadWhateverTheTestsSection(t *testing.T) {
	t.Parallel()
	const head = "version: 1\nclaims:\n  a: { const: &c \"$${X}\" }\n"
	cases := []struct {
		name, src string
		// rule and at are the tests finding lint must report, if any.
		rule, at string
	}{
		{"tests that are not a list", head + "tests: { name: t }\n", "tests-type", "4:8"},
		{"a test that is not an object", head + "tests: [ 3 ]\n", "tests-type", "4:10"},
		{"tests written twice", head + "tests: []\ntests:\n  - { name: t, event: nothere.json, expect: {} }\n", "tests-event", "6:23"},
		{"tests in a file of two documents", head + "tests:\n  - { name: t, bogus: 1 }\n---\nversion: 1\n", "tests-unknown-key", "5:16"},
		{"tests after a wrong claim", "version: 1\nclaims:\n  a: user.\ntests:\n  - { name: t }\n", "tests-required", "5:5"},
		{"a test aliasing a constant", head + "tests:\n  - { name: t, event: nothere.json, expect: { idToken: { a: *c } } }\n", "tests-event", "5:23"},
		{"an alias bomb in the tests", head + "tests:\n  - &a [x, x, x, x, x, x, x, x, x, x]\n  - &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  - &d [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  - &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n  - [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n", "", ""},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := []byte(tt.src)
			checkEquivalence(t, "m.yaml", src)
			if tt.rule == "" {
				return
			}
			var found []string
			for _, f := range lint.Check("m.yaml", src, allSet(src)) {
				if isTestsFinding(f) {
					found = append(found, fmt.Sprintf("%d:%d %s", f.Pos.Line, f.Pos.Column, f.Rule))
				}
			}
			if want := tt.at + " " + tt.rule; !slices.Contains(found, want) {
				t.Errorf("the tests: findings are %q, want one %q", found, want)
			}
		})
	}
}
