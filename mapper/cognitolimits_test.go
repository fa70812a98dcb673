package mapper_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestMoreChangesThanCognitoAcceptsFailTheEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		claims int
		fails  bool
	}{
		{"exactly the quota in both tokens is answered", mapper.MaxChanges / 2, false},
		{"one claim past the quota fails the event", mapper.MaxChanges/2 + 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b strings.Builder
			b.WriteString("version: 1\ntriggerVersion: V2_0\nclaims:\n")
			for i := range tt.claims {
				fmt.Fprintf(&b, "  c%d: { const: x }\n", i)
			}
			mp := load(t, b.String(), nil)
			out, err := mp.Handle(context.Background(), event(t, "v2"))
			if !tt.fails {
				if err != nil || len(out) == 0 {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var ee *mapper.EventError
			if !errors.As(err, &ee) || ee.Rule != "response" || !strings.Contains(ee.Reason, "5002 claim and scope changes; Cognito accepts at most 5000") {
				t.Fatalf("err = %v (%+v), want the event failed on Cognito's quota", err, ee)
			}
			ev, err := mapper.DecodeEvent(event(t, "v2"))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := mp.EvaluateTrace(context.Background(), ev); err == nil {
				t.Error("explain says the event succeeded where the Lambda fails it")
			}
		})
	}
}
