package mapper_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// One compile serves every environment: each binding reads its own table
// and writes its own constant, sharing the programs; the compiled mapper
// runs only once bound.
func TestOneCompileBindsToEachEnvironment(t *testing.T) {
	t.Parallel()
	m, fs := config.Parse("m.yaml", []byte(`version: 1
sources:
  user: { table: "${T}", key: { userName: event.userName } }
claims:
  name: user.Name
  from: { const: "table ${T}" }
`), config.Options{})
	if err := config.Errors(fs); err != nil {
		t.Fatal(err)
	}
	compiled, _, err := mapper.Compile(m, mapper.LoadOptions{File: "m.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	data := localdata.New(map[string][]mapper.Item{
		"TableA": {{"userName": "ben", "Name": "Ben in TableA"}},
		"TableB": {{"userName": "ben", "Name": "Ben in TableB"}},
	})
	ev := &mapper.Event{Version: "2", UserName: "ben"}
	if _, err := compiled.WithStore(data).Evaluate(context.Background(), ev); err == nil || !strings.Contains(err.Error(), "Bind") {
		t.Errorf("an unbound mapper ran: %v", err)
	}
	for _, table := range []string{"TableA", "TableB"} {
		bound, _, err := compiled.Bind(config.Env{Allow: []string{"T"}, Lookup: func(string) (string, bool) { return table, true }})
		if err != nil {
			t.Fatal(err)
		}
		r, err := bound.WithStore(data).Evaluate(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if r.IDClaims["name"] != "Ben in "+table || r.IDClaims["from"] != "table "+table {
			t.Errorf("bound to %s: %v", table, r.IDClaims)
		}
		if got := bound.Accesses()[0].Table; got != table {
			t.Errorf("Accesses names %q", got)
		}
	}
	_, _, err = compiled.Bind(config.Env{Lookup: func(string) (string, bool) { return "A", true }})
	var ce *config.Error
	if !errors.As(err, &ce) || ce.Findings[0].Rule != "env-not-allowed" {
		t.Errorf("a variable not allowed should not bind: %v", err)
	}
}

// TestConcurrentBindsShareOneCompile: bindings made and run at the same
// time from one compiled Mapper each read their own table. Under -race
// (make test runs it there) it proves binding writes nothing shared.
func TestConcurrentBindsShareOneCompile(t *testing.T) {
	t.Parallel()
	m, _ := config.Parse("m.yaml", []byte("version: 1\nsources:\n  user: { table: \"${T}\", key: { userName: event.userName } }\nclaims:\n  name: user.Name\n  from: { const: \"${T}\" }\n"), config.Options{})
	compiled, _, err := mapper.Compile(m, mapper.LoadOptions{File: "m.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	tables := map[string][]mapper.Item{}
	for i := range 8 {
		name := "Table" + string(rune('A'+i))
		tables[name] = []mapper.Item{{"userName": "ben", "Name": name}}
	}
	data := localdata.New(tables)
	done := make(chan error)
	for name := range tables {
		go func() {
			bound, _, err := compiled.Bind(config.Env{Allow: []string{"T"}, Lookup: func(string) (string, bool) { return name, true }})
			if err != nil {
				done <- err
				return
			}
			r, err := bound.WithStore(data).Evaluate(context.Background(), &mapper.Event{Version: "2", UserName: "ben"})
			if err == nil && (r.IDClaims["name"] != name || r.IDClaims["from"] != name) {
				err = fmt.Errorf("%s read another binding's table: %v", name, r.IDClaims)
			}
			done <- err
		}()
	}
	for range tables {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
