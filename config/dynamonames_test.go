package config_test

import (
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

// TestDynamoNameAfterSubstitution: a table or index name is checked once
// its ${NAME} is filled in, so a variable cannot smuggle in what the
// mapping could not write.
func TestDynamoNameAfterSubstitution(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, value, want string }{
		{"a wildcard", "*", `table "${T}" is "*" once its ${…} are filled in, which is not a DynamoDB table name: it contains '*'`},
		{"an index path", "Users/index/*", `contains '/', '*'`},
		{"a name too short", "ab", "it has 2 characters, and a name has 3 to 255"},
		{"a good name", "Users", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "version: 1\nsources:\n  s:\n    table: ${T}\n    key: { id: event.userName }\nclaims:\n  a: s.a\n"
			lookup := func(string) (string, bool) { return tt.value, true }
			_, fs := parseBound("m.yaml", []byte(src), config.Env{Lookup: lookup, Allow: []string{"T"}})
			err := config.Errors(fs)
			if err != nil && fs[0].Rule != "dynamo-name" {
				t.Errorf("rule %q, want dynamo-name", fs[0].Rule)
			}
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "":
			case err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "m.yaml:4:12"):
				t.Fatalf("got %v, want a dynamo-name finding at 4:12 with %q", err, tt.want)
			}
		})
	}
}
