package mapper_test

import (
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/golden"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestRuleCases: each testdata/NAME.bad.yaml has the findings in
// testdata/NAME.findings (go test -update rewrites them): the cases of the
// rules package mapper adds to config's (expressions, dependencies, what
// Cognito refuses at run time).
func TestRuleCases(t *testing.T) {
	t.Parallel()
	unset := func(string) (string, bool) { return "", false }
	golden.Cases(t, func(file string, src []byte) []config.Finding {
		_, fs := loaded(mapper.Load(src, mapper.LoadOptions{File: file, Env: config.Env{Lookup: unset}}))
		return fs
	})
}
