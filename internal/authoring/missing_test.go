package authoring_test

import (
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestMissingAttributes(t *testing.T) {
	t.Parallel()
	mp := load(t, `version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
  teams: { table: Teams, query: { partition: { PK: event.userName } } }
claims:
  department: user.Departmnet
  again: user.Departmnet ?? "none"
  name: user.FirstName
  teams: 'map(teams, #.Nmae)'
  custom: user["custom:x"]
`, nil)
	tables := map[string][]mapper.Item{
		"Users": {{"userName": "a", "FirstName": "A", "Department": "D"}, {"userName": "b", "FirstName": "B"}},
		"Teams": {{"PK": "a", "Name": "T"}},
	}
	rows := func(table string) ([]mapper.Item, bool) {
		items, ok := tables[table]
		return items, ok
	}
	got := authoring.MissingAttributes("m.yaml", mp.AttributeReads(), rows)
	want := []string{
		`m.yaml:6:20: claims.department: user.Departmnet: none of the 2 items in Users has an attribute "Departmnet" (did you mean "Department"?)`,
		`m.yaml:9:24: claims.teams: teams.Nmae: the item in Teams has no attribute "Nmae" (did you mean "Name"?)`,
		`m.yaml:10:17: claims.custom: user["custom:x"]: none of the 2 items in Users has an attribute "custom:x", so it reads as null`,
	}
	if len(got) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%v", len(got), len(want), got)
	}
	for i, f := range got {
		if !strings.HasPrefix(f.String(), want[i]) || f.Rule != "unknown-attribute" {
			t.Errorf("finding %d:\n%s [%s]\nwant it to start with\n%s", i, f, f.Rule, want[i])
		}
	}
	t.Run("no items, nothing to judge by", func(t *testing.T) {
		none := func(string) ([]mapper.Item, bool) { return nil, false }
		empty := func(string) ([]mapper.Item, bool) { return []mapper.Item{}, true }
		if got := authoring.MissingAttributes("m.yaml", mp.AttributeReads(), none); len(got) != 0 {
			t.Errorf("no table: %v", got)
		}
		if got := authoring.MissingAttributes("m.yaml", mp.AttributeReads(), empty); len(got) != 0 {
			t.Errorf("empty table: %v", got)
		}
	})
}
