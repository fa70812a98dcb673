package config

import (
	"encoding/json"
	"flag"
	"os"
	"testing"
)

var updateSchema = flag.Bool("update", false, "rewrite docs/mapping.schema.json")

func TestSchemaCoversEveryKey(t *testing.T) {
	for section, keys := range keyLists {
		for _, k := range keys {
			if keyDocs[section][k] == "" {
				t.Errorf("key %q of section %q has no description in keyDocs", k, section)
			}
		}
		if len(keyDocs[section]) != len(keys) {
			t.Errorf("section %q: keyDocs describes %d keys, the parser accepts %d", section, len(keyDocs[section]), len(keys))
		}
	}
	var v any
	if err := json.Unmarshal(Schema(), &v); err != nil {
		t.Fatal(err)
	}
}

// The checked-in schema, which editors load, is what Schema generates.
func TestSchemaCheckedIn(t *testing.T) {
	const path = "../docs/mapping.schema.json"
	if *updateSchema {
		if err := os.WriteFile(path, Schema(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(Schema()) {
		t.Errorf("%s is stale; run: go test ./config -run TestSchemaCheckedIn -update", path)
	}
}
