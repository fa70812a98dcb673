package authoring_test

import (
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// load compiles a mapping from text, served by the given store.
func load(t testing.TB, yaml string, store mapper.Store) *mapper.Mapper {
	t.Helper()
	mp, fs := mapper.Load([]byte(yaml), mapper.LoadOptions{File: "mapping.yaml", Store: store})
	if err := config.Errors(fs); err != nil {
		t.Fatalf("load mapping:\n%v", err)
	}
	return mp
}
