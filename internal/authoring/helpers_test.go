package authoring_test

import (
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// load compiles a mapping from text, served by the given store.
func load(t testing.TB, yaml string, store mapper.Store) *mapper.Mapper {
	t.Helper()
	mp, fs := loaded(mapper.Load([]byte(yaml), mapper.LoadOptions{File: "mapping.yaml", Store: store}))
	if err := config.Errors(fs); err != nil {
		t.Fatalf("load mapping:\n%v", err)
	}
	return mp
}

// loaded is every finding of mapper.Load with its Mapper, as the tests
// before Load returned an error read them.
func loaded(mp *mapper.Mapper, warnings []config.Finding, err error) (*mapper.Mapper, []config.Finding) {
	return mp, authoring.Findings(mp, warnings, err)
}
