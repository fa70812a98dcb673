package lint

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/everyuser"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/localdata"
)

// Options are what lint reads besides the mapping's text.
type Options struct {
	// Env says what ${VAR} references resolve against (lint --env, then the
	// process environment); nil means the process environment.
	Env func(string) (string, bool)
	// Data is sample data besides the inline tests' data: (lint --data, the
	// studio's --data): every claim is evaluated for each of its users.
	Data []*localdata.Data
	// Tests are the inline tests already read from the text's one parse
	// and compile (a workspace's, see inlinetest.ParseWithin); nil parses
	// and compiles the text here, the tests' files read only from the
	// mapping's own folder. Lint binds that compile to every environment
	// it checks.
	Tests *inlinetest.Suite
}

// Check returns every finding for a mapping's text, sorted by position:
// those of mapper.Load with the same options (size limit included) and
// those of the tests: section. env says what ${VAR} references resolve
// against; nil means the process environment. An unset variable is a
// warning here, since lint seldom runs where the function does. Which
// variables ${NAME} may read is the CLAIMS_MAPPING_ENV that env holds, as in
// the function: the same rules, so a mapping naming any other is an error.
func Check(file string, src []byte, env func(string) (string, bool)) []config.Finding {
	return CheckWith(file, src, Options{Env: env})
}

// CheckWith is Check with every option. Besides the loader's findings and
// the tests', when the mapping loads it adds warnings that never stop it
// loading: every claim evaluated for every user of the sample data (the
// tests' data: and o.Data) and reported when it fails or is null for some
// of them, and the expression shapes that cause that (package everyuser).
func CheckWith(file string, src []byte, o Options) []config.Finding {
	env := o.Env
	if env == nil {
		env = os.LookupEnv
	}
	allow, err := config.AllowedEnv(env)
	suite := o.Tests
	if suite == nil {
		suite, _ = inlinetest.ParseWithin(file, authoring.Compile(file, src, config.Options{}), "")
	}
	compiled := suite.Compiled()
	mp, warnings, loadErr := compiled.Load(config.Env{Lookup: env, Allow: allow, UnsetIsWarning: true}, nil, nil)
	fs := authoring.Findings(mp, warnings, loadErr)
	if err != nil {
		fs = append(fs, config.Finding{File: file, Pos: config.Pos{Line: 1, Column: 1}, Severity: config.SevError, Rule: "env-not-allowed",
			Message: err.Error() + "; lint reads this setting from its own environment, as the function does from its configuration"})
	}
	fs = onceEach(fs, suite)
	fs = append(fs, suite.Findings()...)
	if config.Errors(fs) == nil {
		fs = append(fs, suite.WithEnv(env).MissingAttributes()...)
		found := everyuser.CheckCompiled(context.Background(), file, compiled, allow, samples(suite, env, o.Data))
		fs = append(fs, found...)
		// The sample data's finding about a claim says more than the
		// expression's hint.
		for _, f := range everyuser.Shapes(mp.Mapping()) {
			if f.Rule != everyuser.RuleJoinMayFail || !hasFinding(found, f.Path, everyuser.RuleFails) {
				fs = append(fs, f)
			}
		}
	}
	config.Sort(fs)
	return fs
}

// samples are the sample data lint can see: each inline test's data: with
// its event and env:, and o.Data with a default sign-in.
func samples(suite *inlinetest.Suite, env func(string) (string, bool), data []*localdata.Data) []everyuser.Sample {
	var out []everyuser.Sample
	// As preview --data does, a variable the environment does not set comes
	// from the tests' env:, which names the table their sample data is in.
	fromTests := inlinetest.FillFrom(suite.Cases, env)
	for _, d := range data {
		out = append(out, everyuser.Sample{Data: d, Env: fromTests})
	}
	for _, c := range suite.Cases {
		if c.Data == nil {
			continue
		}
		out = append(out, everyuser.Sample{Data: c.Data, Event: c.Event, Env: c.Lookup(env)})
	}
	return out
}

// onceEach keeps one env-unset warning per variable, at its first use, and
// none for a variable an inline test's env: sets: every ${TABLE_NAME} of
// a mapping is the same one missing value, and a value the tests give is
// one the author has thought of.
func onceEach(fs []config.Finding, suite *inlinetest.Suite) []config.Finding {
	config.Sort(fs)
	uses := map[string][]int{}
	first := map[string]int{}
	out := fs[:0:0]
	for _, f := range fs {
		if f.Rule != "env-unset" || f.Severity != config.SevWarning || f.Var == "" {
			out = append(out, f)
			continue
		}
		name := f.Var
		if testSets(suite, name) {
			continue
		}
		if _, ok := first[name]; !ok {
			first[name] = len(out)
			out = append(out, f)
		} else {
			uses[name] = append(uses[name], f.Pos.Line)
		}
	}
	for name, lines := range uses {
		f := &out[first[name]]
		f.Message += fmt.Sprintf(" (it is also used on line%s %s)", pluralS(len(lines)), joinInts(lines))
	}
	return out
}

func hasFinding(fs []config.Finding, path, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule && (f.Path == path || strings.HasPrefix(path, f.Path+".")) {
			return true
		}
	}
	return false
}

// UnsetOnce drops the env-unset warnings about variables seen already (and
// records the others), so that linting several mappings that all read
// ${TABLE_NAME} warns about it once per run.
func UnsetOnce(fs []config.Finding, seen map[string]bool) []config.Finding {
	out := fs[:0:0]
	for _, f := range fs {
		if f.Var != "" && f.Rule == "env-unset" && f.Severity == config.SevWarning {
			if seen[f.Var] {
				continue
			}
			seen[f.Var] = true
		}
		out = append(out, f)
	}
	return out
}

func testSets(suite *inlinetest.Suite, name string) bool {
	for _, c := range suite.Cases {
		if _, ok := c.Env[name]; ok {
			return true
		}
	}
	return false
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}
