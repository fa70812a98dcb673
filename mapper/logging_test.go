package mapper_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestWarningsNeverQuoteUserData: expr's runtime errors quote the values they
// failed on; above debug level the logs must not.
func TestWarningsNeverQuoteUserData(t *testing.T) {
	t.Parallel()
	const secret = "Zanzibar-7731"
	store := tables(t, "tables:\n  Users:\n    - { userName: jdoe, FirstName: "+secret+", tenant: [x] }\n")
	mapping := `version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
  tenant: { table: Users, key: { userName: 'int(user.FirstName)' } }
claims:
  n: int(user.FirstName)
  t: user.FirstName + 1
suppress:
  - claim: x
    when: int(user.FirstName) > 1
scopes:
  add: [int(user.FirstName)]
groups:
  override: int(user.FirstName)
`
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelDebug} {
		var logs bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: level}))
		mp, err := loadErr(mapper.Load([]byte(mapping), mapper.LoadOptions{File: "mapping.yaml", Store: store, Logger: log}))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mp.Handle(context.Background(), event(t, "v2")); err != nil {
			t.Fatal(err)
		}
		quoted := strings.Contains(logs.String(), secret)
		switch {
		case level == slog.LevelInfo && quoted:
			t.Errorf("info-level logs quote user data:\n%s", logs.String())
		case level == slog.LevelInfo && strings.Count(logs.String(), `"level":"WARN"`) < 5:
			t.Errorf("expected a warning per failed rule:\n%s", logs.String())
		case level == slog.LevelDebug && !quoted:
			t.Errorf("debug-level logs should carry the error details:\n%s", logs.String())
		}
	}
}
