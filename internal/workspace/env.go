package workspace

import (
	"os"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
)

// Env says where a mapping's ${NAME} get their values.
type Env struct {
	// Flags are the command line's --env values; they come first.
	Flags map[string]string
	// Process is the process environment; nil means os.LookupEnv. It also
	// holds CLAIMS_MAPPING_ENV, which says which names may be read.
	Process func(string) (string, bool)
}

// process is the process environment.
func (e Env) process(name string) (string, bool) {
	if e.Process == nil {
		return os.LookupEnv(name)
	}
	return e.Process(name)
}

// Lookup resolves one name: --env, then the process environment.
func (e Env) Lookup(name string) (string, bool) {
	if v, ok := e.Flags[name]; ok {
		return v, true
	}
	return e.process(name)
}

// Allowed is CLAIMS_MAPPING_ENV as the process has it: the names a mapping
// may read, as in the function.
func (e Env) Allowed() ([]string, error) {
	return config.AllowedEnv(e.process)
}

// ForTest resolves names for one inline test: its env: first, then the
// process environment, so a test does not depend on the command line.
func (e Env) ForTest(c *inlinetest.Case) func(string) (string, bool) {
	return c.Lookup(e.process)
}

// OrTests resolves a name as Lookup does and, when neither --env nor the
// process sets it, from the first of the tests whose env: does: the studio
// uses it so the seed scenario works without setting anything.
func (e Env) OrTests(cases []*inlinetest.Case) func(string) (string, bool) {
	return inlinetest.FillFrom(cases, e.Lookup)
}

// options are how the mapping is read with lookup's values, under the
// process's CLAIMS_MAPPING_ENV.
func (e Env) options(lookup func(string) (string, bool)) (config.Env, error) {
	allow, err := e.Allowed()
	if err != nil {
		return config.Env{}, err
	}
	return config.Env{Lookup: lookup, Allow: allow}, nil
}
