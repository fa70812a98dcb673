package inlinetest

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/preview"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Suite is a mapping file's tests.
type Suite struct {
	File  string
	Cases []*Case
	// NotRun are the tests ParseAway left out, since a file they name is
	// not there; they are not in Cases.
	NotRun []NotRun
	// tests is the tests: section as written, from the mapping's one parse.
	tests *yaml.Node
	// findings are the section's problems, as ParseWithin returned them.
	findings []config.Finding
	// lookupEnv is the process environment; tests replace it.
	lookupEnv func(string) (string, bool)
	// compiled is the mapping the tests were read from, parsed and
	// compiled once, its ${NAME} unfilled: each test binds it to its own
	// env:. Copies of the suite (WithEnv) share it.
	compiled *authoring.Compiled
}

// Compiled is the suite's mapping parsed and compiled once, its ${NAME}
// unfilled, which every test binds to its own env:.
func (s *Suite) Compiled() *authoring.Compiled { return s.compiled }

// bind is the suite's mapping bound as test c reads it, its sources in
// c's data, its warnings to log.
func (s *Suite) bind(c *Case, log *slog.Logger) (*mapper.Mapper, error) {
	env, err := s.options(c)
	if err != nil {
		return nil, err
	}
	mp, _, err := s.Compiled().Load(env, c.Data, log)
	return mp, err
}

// Parse reads the tests: section of a mapping's text and returns the tests
// with every problem the section has. It does not report the rest of the
// mapping's problems: package lint adds what the mapping's loader finds,
// and a test loads the mapping the way the function does when it runs. Run
// nothing unless config.Errors(findings) is nil.
func Parse(file string, src []byte) (*Suite, []config.Finding) {
	return ParseWithin(file, authoring.Compile(file, src, config.Options{}), "")
}

// ParseWithin reads the tests: section of the mapping c was compiled from,
// from the one parse of its text (c.Doc), and runs its tests on c: the text
// is neither parsed nor compiled again. file names the mapping in the
// findings and is where the tests' relative paths start.
//
// The event: and data: files the tests name are read only when they lie
// inside the folder within, symbolic links followed; any other is a finding
// (rule tests-outside-folder) and is not opened. The studio uses it so a
// mapping typed into the page cannot read the rest of the disk. An empty
// within is the mapping's own folder (the current one for standard input):
// no command reads a test file from anywhere else.
func ParseWithin(file string, c *authoring.Compiled, within string) (*Suite, []config.Finding) {
	return parse(&reader{file: file, dir: baseDir(file), within: within}, c)
}

// ParseAway reads the tests of a mapping that has no folder on this
// machine, such as a version read from S3, whose tests' files were never
// published with it: their relative paths start at dir, and are read only
// inside it, as ParseWithin reads them inside within. A test whose event:
// or data: file is not there is not run and not a finding: it is in the
// suite's NotRun, for the caller to say which file to bring.
func ParseAway(file string, c *authoring.Compiled, dir string) (*Suite, []config.Finding) {
	return parse(&reader{file: file, dir: dir, within: dir, away: true}, c)
}

func parse(r *reader, c *authoring.Compiled) (*Suite, []config.Finding) {
	r.triggerVersion = c.Doc.TriggerVersion
	cases, fs := parseTests(r, c.Doc.Tests)
	return &Suite{File: r.file, Cases: cases, NotRun: r.notRun, tests: c.Doc.Tests, findings: fs, lookupEnv: os.LookupEnv, compiled: c}, fs
}

// Findings are the problems of the tests: section, as ParseWithin
// returned them.
func (s *Suite) Findings() []config.Finding { return s.findings }

// WithEnv returns the suite reading env where it would read the process
// environment: values under the tests' env:, and CLAIMS_MAPPING_ENV.
func (s *Suite) WithEnv(env func(string) (string, bool)) *Suite {
	cp := *s
	cp.lookupEnv = env
	return &cp
}

// Outcome is the result of one test.
type Outcome struct {
	Case *Case
	// Diffs lists every expectation that did not hold; none means the test passed.
	Diffs []Diff
	// Problem is set when the test could not run at all.
	Problem string
	// Log holds the warnings the mapping logged while the event ran.
	Log string
}

// Passed reports whether the test held.
func (o Outcome) Passed() bool { return o.Problem == "" && len(o.Diffs) == 0 }

// Run evaluates one test. The suite's mapping is compiled once; each test
// binds it to its env:, which may fill ${NAME} references differently.
func (s *Suite) Run(ctx context.Context, c *Case) Outcome {
	out := Outcome{Case: c}
	var log bytes.Buffer
	mp, err := s.bind(c, preview.WarningLog(&log))
	var ce *config.Error
	if err != nil && !errors.As(err, &ce) {
		out.Problem = err.Error()
		return out
	}
	if err != nil {
		out.Problem = "the mapping does not load for this test: " + oneLine(err.Error())
		if unsetVariable(err) {
			out.Problem += "; or give the test the variable in its env:, e.g. env: { TABLE_NAME: Users }"
		}
		return out
	}
	r, err := mp.Evaluate(ctx, c.Event)
	out.Log = log.String()
	out.Diffs = compare(c.Event.Version, c.Expect, r, err)
	return out
}

// MissingAttributes checks the attributes the mapping reads against the
// tests' data: an attribute no item of its table has, in any test, is most
// likely misspelled, and reads as null without any error (see
// mapper.MissingAttributes). Each test's env: names its tables; tests
// without data, or whose mapping does not load, are left out.
func (s *Suite) MissingAttributes() []config.Finding {
	pool := map[string][]mapper.Item{}
	var reads []mapper.AttrRead
	seen := map[mapper.AttrRead]bool{}
	for _, c := range s.Cases {
		mp, err := s.bind(c, nil)
		if err != nil {
			continue
		}
		tables := map[string]bool{}
		for _, r := range mp.AttributeReads() {
			if !seen[r] {
				seen[r] = true
				reads = append(reads, r)
			}
			if rows, ok := c.Data.Rows(r.Table); ok && !tables[r.Table] {
				tables[r.Table] = true
				pool[r.Table] = append(pool[r.Table], rows...)
			}
		}
	}
	return authoring.MissingAttributes(s.File, reads, func(table string) ([]mapper.Item, bool) {
		rows, ok := pool[table]
		return rows, ok
	})
}

// options say how a test reads the mapping: its env: first, then the
// tool's environment, for values; CLAIMS_MAPPING_ENV from where the tool
// runs, as the function's from its configuration, for which variables may
// be read. A test's env: gives values, never permission.
func (s *Suite) options(c *Case) (config.Env, error) {
	allow, err := config.AllowedEnv(s.lookupEnv)
	if err != nil {
		return config.Env{}, err
	}
	return config.Env{Lookup: c.Lookup(s.lookupEnv), Allow: allow}, nil
}

// Lookup resolves ${NAME} for this test: its env: first, then then (the
// process environment), so a test does not depend on the shell it runs in.
func (c *Case) Lookup(then func(string) (string, bool)) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := c.Env[name]; ok {
			return v, true
		}
		return then(name)
	}
}

// FillFrom resolves ${NAME} by first and, where first sets no value, from
// the first of the tests whose env: gives one: the tests name the table
// their sample data is in, so the author's tools work without setting
// anything.
func FillFrom(cases []*Case, first func(string) (string, bool)) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := first(name); ok {
			return v, true
		}
		for _, c := range cases {
			if v, ok := c.Env[name]; ok {
				return v, true
			}
		}
		return "", false
	}
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", "; ") }

// unsetVariable tells whether a load failed on an unset ${VAR}: a test can
// fix that with its own env:.
func unsetVariable(err error) bool {
	var ce *config.Error
	return errors.As(err, &ce) && hasRule(ce.Findings, "env-unset")
}

func hasRule(fs []config.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}
