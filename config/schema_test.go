package config

import (
	"encoding/json"
	"testing"
)

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
