package integration

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/golden"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// The key schemas of the tables in testdata: dynalite needs them before the
// items go in.
var tables = []testenv.Table{
	{Name: "Users", PK: "userName"},
	{Name: "AppTable", PK: "PK", SK: "SK"},
	{Name: "Tenants", PK: "tenantId"},
	{Name: "SampleUsers", PK: "userName"},
}

// readFile is golden.ReadFile, by its short name.
var readFile = golden.ReadFile

// loadData creates the tables and puts the items of localdata files, so the
// same data serves the local and the DynamoDB runs.
func loadData(t *testing.T, db *testenv.DynamoDB, files ...string) {
	t.Helper()
	for _, tb := range tables {
		db.CreateTable(t, tb)
	}
	for _, f := range files {
		var doc struct {
			Tables map[string][]map[string]any `yaml:"tables"`
		}
		if err := yaml.Unmarshal(readFile(t, f), &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for name, items := range doc.Tables {
			db.Put(t, name, items...)
		}
	}
}

// functionEnv is the environment of a function reading DynamoDB at endpoint.
func functionEnv(endpoint, mapping string, extra ...string) map[string]string {
	env := testenv.AWSEnv(endpoint)
	env["CLAIMS_MAPPING"] = mapping
	env["LOG_LEVEL"] = "info"
	env["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "5"
	// As the example stack deploys it: ${TABLE_NAME} may read TABLE_NAME.
	env["CLAIMS_MAPPING_ENV"] = "TABLE_NAME"
	for i := 0; i+1 < len(extra); i += 2 {
		env[extra[i]] = extra[i+1]
	}
	return env
}

// decode parses a JSON document for comparisons that ignore key order.
func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, b)
	}
	return v
}

// dig walks nested objects.
func dig(v any, path ...string) any {
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

func sameJSON(t *testing.T, got, want []byte) {
	t.Helper()
	if g, w := decode(t, got), decode(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("response differs from the golden file:\ngot  %s\nwant %s", got, strings.Join(strings.Fields(string(want)), " "))
	}
}
