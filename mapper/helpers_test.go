package mapper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/golden"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// loadErr turns Load's findings into the error they amount to.
func loadErr(mp *mapper.Mapper, _ []config.Finding, err error) (*mapper.Mapper, error) {
	return mp, err
}

// load compiles a mapping from text, served by the given store.
func load(t testing.TB, yaml string, store mapper.Store) *mapper.Mapper {
	t.Helper()
	mp, err := loadErr(mapper.Load([]byte(yaml), mapper.LoadOptions{File: "mapping.yaml", Env: config.Env{Lookup: func(string) (string, bool) { return "", false }}, Store: store, Logger: slog.New(slog.DiscardHandler)}))
	if err != nil {
		t.Fatalf("load mapping:\n%v", err)
	}
	return mp
}

// loadBudget is load for the tests about the work and bytes budgets: the
// deadline is minutes away (mapper.FarDeadline), so that only the budget
// stops their expressions, however slowly the race detector or a loaded
// machine runs them.
func loadBudget(t testing.TB, yaml string, store mapper.Store) *mapper.Mapper {
	t.Helper()
	return mapper.FarDeadline(load(t, yaml, store))
}

// tables builds a store from a data file's text.
func tables(t testing.TB, yaml string) *localdata.Data {
	t.Helper()
	d, err := localdata.Parse("data.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// readFile is golden.ReadFile, by its short name.
var readFile = golden.ReadFile

// handle runs an event and returns the decoded response object.
func handle(t testing.TB, mp *mapper.Mapper, event []byte) map[string]any {
	t.Helper()
	out, err := mp.Handle(context.Background(), event)
	if err != nil {
		t.Fatalf("handle: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, out)
	}
	resp, _ := got["response"].(map[string]any)
	return resp
}

// dig walks a decoded JSON object along keys.
func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// checkGolden compares got, indented when it is JSON, with the file at path.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if json.Indent(&buf, got, "", "  ") == nil {
		got = append(buf.Bytes(), '\n')
	}
	golden.Check(t, path, got)
}

// storeFuncs adapts functions to a mapper.Store.
type storeFuncs struct {
	GetFunc   func(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error)
	QueryFunc func(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, error)
}

func (f storeFuncs) GetItem(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	return f.GetFunc(ctx, in)
}

func (f storeFuncs) Query(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
	return f.QueryFunc(ctx, in)
}

// loaded is every finding of mapper.Load with its Mapper, as the tests
// before Load returned an error read them.
func loaded(mp *mapper.Mapper, warnings []config.Finding, err error) (*mapper.Mapper, []config.Finding) {
	return mp, authoring.Findings(mp, warnings, err)
}
