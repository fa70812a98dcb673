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

// ctxKey marks the invocation's context in TestWarningsCarryTheContext.
type ctxKey struct{}

// ctxHandler records the value under ctxKey of every record's context.
type ctxHandler struct {
	slog.Handler
	seen *[]any
}

func (h ctxHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h ctxHandler) Handle(ctx context.Context, r slog.Record) error {
	*h.seen = append(*h.seen, ctx.Value(ctxKey{}))
	return nil
}

// TestWarningsCarryTheContext: a rule warning is logged with the context
// the event was handled with, so a log handler can tag it with what the
// context carries (the Lambda's request id).
func TestWarningsCarryTheContext(t *testing.T) {
	t.Parallel()
	var seen []any
	log := slog.New(ctxHandler{Handler: slog.DiscardHandler, seen: &seen})
	mp, err := loadErr(mapper.Load([]byte("version: 1\nclaims:\n  n: int(event.userName)\n"), mapper.LoadOptions{File: "mapping.yaml", Logger: log}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.WithValue(context.Background(), ctxKey{}, "invocation-1")
	if _, err := mp.Handle(ctx, event(t, "v2")); err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatal("no warning logged for a claim that fails")
	}
	for _, v := range seen {
		if v != "invocation-1" {
			t.Errorf("a warning was logged with context value %v, want the invocation's", v)
		}
	}
}
