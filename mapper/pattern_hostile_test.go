package mapper_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestAPatternComputedWhenTheSignInRunsIsBoundedAndQuotesNothing: a pattern
// built from the event is untrusted twice over. One too long or too costly
// to compile is refused before it is compiled, one that is no pattern at
// all fails only its claim, and neither puts the pattern, which holds the
// user's data, in a warning.
func TestAPatternComputedWhenTheSignInRunsIsBoundedAndQuotesNothing(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, expr, limit string }{
		{"too long", `"x" matches (event.userName + repeat("a", 2000))`, "pattern"},
		{"too costly once its repetitions are counted", `"x" matches repeat("(" + event.userName + "){1000}", 11)`, "pattern"},
		{"not a pattern", `"x" matches ("(" + event.userName)`, ""},
		{"not text", `"x" matches (len(event.userName) > 0 ? 1 : "")`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			yaml := "version: 1\nclaims:\n  bad: '" + tt.expr + "'\n  good: { const: ok }\n"
			mp, err := loadErr(mapper.Load([]byte(yaml), mapper.LoadOptions{File: "mapping.yaml", Logger: slog.New(slog.NewJSONHandler(&logs, nil))}))
			if err != nil {
				t.Fatalf("lint refused the mapping, so this test no longer tests the run-time check:\n%v", err)
			}
			ev, err := mapper.DecodeEvent(event(t, "v2"))
			if err != nil {
				t.Fatal(err)
			}
			r, tr, err := mp.EvaluateTrace(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := r.IDClaims["bad"]; ok || r.IDClaims["good"] != "ok" {
				t.Errorf("claims %v, want only the good one", r.IDClaims)
			}
			bad := tr.Rules[0].Err
			if limit, _ := mapper.IsLimit(bad); bad == nil || limit != tt.limit {
				t.Errorf("the claim failed with %v (limit %q), want limit %q", bad, limit, tt.limit)
			}
			if !strings.Contains(logs.String(), `"rule":"claims.bad"`) || strings.Contains(logs.String(), "jdoe") {
				t.Errorf("the warning should name the rule and no user data:\n%s", logs.String())
			}
		})
	}
}
