package config_test

import (
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/golden"
)

// TestRuleCases: each testdata/NAME.bad.yaml has the findings in
// testdata/NAME.findings (go test -update rewrites them), with no variable
// set (those the cases name allowed); each testdata/NAME.good.yaml has none.
func TestRuleCases(t *testing.T) {
	t.Parallel()
	unset := func(string) (string, bool) { return "", false }
	golden.Cases(t, func(file string, src []byte) []config.Finding {
		_, fs := parseBound(file, src, config.Env{Lookup: unset, Allow: []string{"CLAIMSMAPPER_LINT_UNSET", "UNSET_TABLE_FOR_TESTS"}})
		return fs
	})
}
