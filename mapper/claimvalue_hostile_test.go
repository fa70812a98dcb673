package mapper_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestAValueATokenCannotHoldLeavesOnlyItsClaimOut: an expression lint
// accepts can still give, at run time, what no token can carry. Its claim
// is left out with a warning that says what kind of value it was, the
// claims after it still come out, and the warning quotes nothing of the
// user's.
func TestAValueATokenCannotHoldLeavesOnlyItsClaimOut(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, expr, want string }{
		{"a number divided by zero", "len(event.userName) / 0", "not a finite number"},
		{"a list holding a number divided by zero", "[1, len(event.userName) / 0]", "not a finite number"},
		{"a duration", "now() - now()", "duration"},
		{"a list holding a duration", "[now() - now()]", "duration"},
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
			if _, ok := r.IDClaims["bad"]; ok {
				t.Errorf("the claim came out: %v", r.IDClaims["bad"])
			}
			if r.IDClaims["good"] != "ok" {
				t.Errorf("the claim after it is missing: %v", r.IDClaims)
			}
			if err := tr.Rules[0].Err; err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("the claim's error is %v, want it to say %q", err, tt.want)
			}
			if !strings.Contains(logs.String(), `"rule":"claims.bad"`) || strings.Contains(logs.String(), "jdoe") {
				t.Errorf("the warning should name the rule and no user data:\n%s", logs.String())
			}
		})
	}
}
