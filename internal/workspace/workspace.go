package workspace

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Options say how a mapping is opened.
type Options struct {
	// Env gives the mapping's ${NAME} their values.
	Env Env
	// Within, when set, is the only folder the inline tests may read their
	// event: and data: files from (see inlinetest.ParseWithin): the studio
	// sets it so a mapping typed into a page cannot read the rest of the disk.
	Within string
	// Remote says the text was read from S3, not from a file of this
	// machine: the inline tests' files, never published with it, are read
	// from the current folder (or Within) as for standard input, and a test
	// whose file is not there is not run (NotRun) rather than a finding, so
	// a rollback is not refused for files it cannot have.
	Remote bool
	// TestsFillEnv lets a ${NAME} that neither --env nor the process sets
	// take its value from the inline tests' env: (Env.OrTests).
	TestsFillEnv bool
	// FirstTestEnv is the command line's rule with --data: when --env gives
	// nothing and the process sets none of the ${NAME}s the mapping reads,
	// they all come from the env: of the mapping's first test that has one,
	// and EnvNote says so. A mapping's tests name the table their sample
	// data is in, so preview works on a fresh checkout without a variable
	// that would otherwise have to be found and set first.
	FirstTestEnv bool
	// Data is sample data besides the inline tests' data: (lint --data, the
	// studio's --data): Lint evaluates every claim for each of its users.
	Data []*localdata.Data
	// ShortNames names the file by its base name in the messages of the
	// mapper, as the author knows it, rather than by the path it was opened with.
	ShortNames bool
}

// Workspace is one mapping's text, opened once: it is parsed and compiled
// when it is opened, its inline tests read from that parse, and every step
// below works on that one reading.
type Workspace struct {
	file  string
	src   []byte
	opts  Options
	suite *inlinetest.Suite
	// lookup is how ${NAME} resolve outside the tests; note says when the
	// first test's env: gives them.
	lookup func(string) (string, bool)
	note   string
	// compiled is the mapping parsed and compiled once, ${NAME} unfilled:
	// lint, the inline tests, the mapper for a case and Mapping all bind it.
	compiled *authoring.Compiled
}

// Open reads a mapping's text: one parse, one compile, whatever the number
// of its inline tests. It never fails: what is wrong with the text is what
// Lint says.
func Open(file string, src []byte, opts Options) *Workspace {
	w := &Workspace{file: file, src: src, opts: opts}
	name := file
	if opts.ShortNames {
		name = filepath.Base(name)
	}
	w.compiled = authoring.Compile(name, src, config.Options{})
	if opts.Remote {
		dir := opts.Within
		if dir == "" {
			dir = "."
		}
		w.suite, _ = inlinetest.ParseAway(file, w.compiled, dir)
	} else {
		w.suite, _ = inlinetest.ParseWithin(file, w.compiled, opts.Within)
	}
	w.suite = w.suite.WithEnv(opts.Env.process)
	switch {
	case opts.FirstTestEnv:
		w.lookup, w.note = w.firstTestEnv()
	case opts.TestsFillEnv:
		w.lookup = opts.Env.OrTests(w.suite.Cases)
	default:
		w.lookup = opts.Env.Lookup
	}
	return w
}

// firstTestEnv is Options.FirstTestEnv's lookup, and the note saying
// which values it took from which test.
func (w *Workspace) firstTestEnv() (func(string) (string, bool), string) {
	e := w.opts.Env
	if len(e.Flags) > 0 {
		return e.Lookup, ""
	}
	var read, set []string
	allow, _ := e.Allowed()
	if m := w.compiled.Mapping; m != nil {
		for _, name := range m.Vars() {
			if !slices.Contains(allow, name) {
				continue // the function could not read it either
			}
			read = append(read, name)
			if _, ok := e.process(name); ok {
				set = append(set, name)
			}
		}
	}
	if len(read) == 0 || len(set) > 0 {
		return e.Lookup, ""
	}
	env, test, line := w.suite.FirstEnv()
	var used []string
	for _, name := range slices.Compact(slices.Sorted(slices.Values(read))) {
		if v, ok := env[name]; ok {
			used = append(used, name+"="+v)
		}
	}
	if len(used) == 0 {
		return e.Lookup, ""
	}
	lookup := func(name string) (string, bool) {
		if v, ok := env[name]; ok {
			return v, true
		}
		return e.process(name)
	}
	return lookup, fmt.Sprintf("using %s from the env: of the test %q (line %d), since --env is not given and the environment sets none of the mapping's variables",
		strings.Join(used, ", "), test, line)
}

// EnvNote says where the ${NAME} values came from when it was not --env or
// the process (Options.FirstTestEnv); "" otherwise.
func (w *Workspace) EnvNote() string { return w.note }

// File is the name the mapping was opened with.
func (w *Workspace) File() string { return w.file }

// Source is the mapping's text.
func (w *Workspace) Source() []byte { return w.src }

// Tests are the mapping's inline tests, in the order they are written.
func (w *Workspace) Tests() []*inlinetest.Case { return w.suite.Cases }

// NotRun are the inline tests of a mapping opened with Options.Remote
// that cannot run here, since a file they name is not in the folder.
func (w *Workspace) NotRun() []inlinetest.NotRun { return w.suite.NotRun }

// Test is the inline test named name, or nil.
func (w *Workspace) Test(name string) *inlinetest.Case {
	for _, c := range w.suite.Cases {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Lint is every finding for the mapping and its tests: section, as
// `claimsmapper lint` reports them. Its ${NAME} resolve from --env and the
// process (an unset one is a warning, since lint seldom runs where the
// function does).
func (w *Workspace) Lint() []config.Finding {
	return lint.CheckWith(w.file, w.src, lint.Options{Env: w.opts.Env.Lookup, Data: w.opts.Data, Tests: w.suite})
}

// refusing counts the findings that refuse the mapping: errors, and with
// strict, warnings.
func refusing(fs []config.Finding, strict bool) int {
	n := 0
	for _, f := range fs {
		if f.Severity == config.SevError || (strict && f.Severity == config.SevWarning) {
			n++
		}
	}
	return n
}

// Lookup is how the mapping's ${NAME} resolve outside the inline tests.
func (w *Workspace) Lookup() func(string) (string, bool) { return w.lookup }

// Mapper compiles the mapping as the function does, its ${NAME} resolved
// by Lookup, its sources read from store, its warnings logged to log (nil
// discards them). The error carries every finding.
func (w *Workspace) Mapper(store mapper.Store, log *slog.Logger) (*mapper.Mapper, error) {
	return w.load(w.Lookup(), store, log)
}

// TestMapper compiles the mapping as the inline test c runs it: its env:
// first, its own data.
func (w *Workspace) TestMapper(c *inlinetest.Case, log *slog.Logger) (*mapper.Mapper, error) {
	return w.load(w.opts.Env.ForTest(c), c.Data, log)
}

func (w *Workspace) load(lookup func(string) (string, bool), store mapper.Store, log *slog.Logger) (*mapper.Mapper, error) {
	cfg, err := w.opts.Env.options(lookup)
	if err != nil {
		return nil, err
	}
	mp, _, err := w.compiled.Load(cfg, store, log)
	return mp, err
}

// Mapping is the mapping as parsed with Lookup's values, an unset ${NAME}
// left empty rather than refused, to read what it names (its sources, its
// tables) where its variables are not all set; nil when it does not parse.
func (w *Workspace) Mapping() *config.Mapping {
	cfg, err := w.opts.Env.options(w.Lookup())
	if err != nil {
		// A bad CLAIMS_MAPPING_ENV is lint's finding; read what is named anyway.
		cfg = config.Env{Lookup: w.Lookup()}
	}
	cfg.UnsetIsWarning = true
	m, _ := w.compiled.Mapping.Bind(cfg)
	return m
}

// RunTests runs the inline tests whose name match accepts (nil: every
// test), in order, as `claimsmapper test` does.
func (w *Workspace) RunTests(ctx context.Context, match func(name string) bool) inlinetest.FileOutcomes {
	fo := inlinetest.FileOutcomes{File: w.file}
	for _, c := range w.suite.Cases {
		if match == nil || match(c.Name) {
			fo.Outcomes = append(fo.Outcomes, w.suite.Run(ctx, c))
		}
	}
	return fo
}

// LintAndTest is what `claimsmapper test` does for one mapping: it lints it and,
// when nothing refuses it (err carries the findings that do), runs the
// inline tests whose name match accepts. warnings are the findings that
// can make a test pass wrongly: a misspelled attribute passes a test that
// expects its claim absent.
func (w *Workspace) LintAndTest(ctx context.Context, match func(name string) bool) (fo inlinetest.FileOutcomes, warnings []config.Finding, err error) {
	findings := w.Lint()
	if err := config.Errors(findings); err != nil {
		return inlinetest.FileOutcomes{File: w.file}, nil, err
	}
	for _, f := range findings {
		if f.Rule == "unknown-attribute" {
			warnings = append(warnings, f)
		}
	}
	return w.RunTests(ctx, match), warnings, nil
}

// Verdict is one mapping's lint verdict, as `claimsmapper lint` gives it.
type Verdict struct {
	// Findings are Lint's, a ${NAME} unset in an earlier mapping of the
	// same run not repeated (lint.UnsetOnce).
	Findings []config.Finding
	// Refused is true when a finding refuses the mapping: an error, or
	// with strict a warning.
	Refused bool
	// Tests counts the inline tests, checked but not run.
	Tests int
	// Policies says which rules fail closed and which fail open, for the
	// reviewer of a mapping that is not refused (lint.Policies).
	Policies string
}

// Verdict lints the mapping as one of several: unset holds the ${NAME}s
// already said to be unset, and gets this mapping's.
func (w *Workspace) Verdict(strict bool, unset map[string]bool) Verdict {
	v := Verdict{Findings: lint.UnsetOnce(w.Lint(), unset), Tests: len(w.Tests())}
	v.Refused = refusing(v.Findings, strict) > 0
	if !v.Refused {
		v.Policies = lint.Policies(w.Mapping())
	}
	return v
}
