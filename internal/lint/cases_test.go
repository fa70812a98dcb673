package lint_test

import (
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/golden"
	"github.com/claimsmapper/claimsmapper/internal/lint"
)

// TestRuleCases: each testdata/NAME.bad.yaml has the findings in
// testdata/NAME.findings (go test -update rewrites them): the cases of
// what lint adds to the mapping's loader, the tests: section.
func TestRuleCases(t *testing.T) {
	t.Parallel()
	// The operator allows the variable the cases name; none is set.
	unset := func(name string) (string, bool) {
		if name == config.EnvAllowVar {
			return "UNSET_TABLE_FOR_TESTS,OTHER_TABLE", true
		}
		return "", false
	}
	golden.Cases(t, func(file string, src []byte) []config.Finding {
		return lint.Check(file, src, unset)
	})
}
