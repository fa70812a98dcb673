package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// Distinctive user data, from the event and from the table, that no log
// line above debug and no message Cognito shows may contain.
const (
	piiUser  = "pii-user-8842"
	piiEmail = "zq-secret-4471@example.org"
	piiSSN   = "987-65-4329"
	piiItem  = "ItemSecret-Z9Q"
)

var piiEvent = `{"version":"2","triggerSource":"TokenGeneration_Authentication","region":"eu-west-1","userPoolId":"p",
"userName":"` + piiUser + `","callerContext":{"awsSdkVersion":"x","clientId":"c"},
"request":{"userAttributes":{"email":"` + piiEmail + `","custom:ssn":"` + piiSSN + `"},"groupConfiguration":{"groupsToOverride":[]},"scopes":[]},
"response":{"claimsAndScopeOverrideDetails":null}}`

// piiStore holds the user's item, with text where the mapping expects
// numbers and lists.
var piiStore = storeFuncs{get: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
	return mapper.Item{"id": piiUser, "secret": piiItem, "ssn": piiSSN}, nil
}}

func TestNoUserDataAboveDebug(t *testing.T) {
	t.Parallel()
	const user = "sources:\n  user:\n    table: Users\n    key: { id: event.userName }\n"
	badKey := func(onError string) string {
		return "sources:\n  user:\n    table: Users\n    key: { id: 'int(event.userAttributes[\"custom:ssn\"])' }\n    onError: " + onError + "\n"
	}
	tests := []struct {
		name, mapping string
		event         string
		fails         bool
	}{
		{"a claim error, omitted", "claims:\n  n: int(event.userAttributes.email)\n", piiEvent, false},
		{"a claim error, failing the event", "onClaimError: fail\nclaims:\n  n: int(event.userAttributes.email)\n", piiEvent, true},
		{"a condition error, failing the event", "onClaimError: fail\nclaims:\n  n: { value: '1', when: 'int(event.userAttributes.email) > 1' }\n", piiEvent, true},
		{"a type error on the event's text", "onClaimError: fail\nclaims:\n  n: event.userAttributes.email * 2\n", piiEvent, true},
		{"a type error on an item's text", user + "onClaimError: fail\nclaims:\n  n: int(user.secret)\n", piiEvent, true},
		{"an item's text indexed as a list, omitted", user + "claims:\n  n: user.ssn[0:2] + 1\n", piiEvent, false},
		{"a source key error, ignored", badKey("ignore") + "claims:\n  n: user.secret\n", piiEvent, false},
		{"a source key error, failing the event", badKey("fail") + "claims:\n  n: user.secret\n", piiEvent, true},
		{"the budget exceeded, omitted", "claims:\n  n: repeat(event.userAttributes.email, 100000000)\n", piiEvent, false},
		{"the budget exceeded, failing the event", "onClaimError: fail\nclaims:\n  n: repeat(event.userAttributes.email + user.secret, 100000000)\n" + user, piiEvent, true},
		{"a value a token cannot hold, failing the event", "onClaimError: fail\nclaims:\n  n: len(event.userAttributes.email) / 0 * 0\n", piiEvent, true},
		{"a malformed event: a wrong type", "claims:\n  n: event.userName\n",
			strings.Replace(piiEvent, `"userName":"`+piiUser+`"`, `"userName":["`+piiEmail+`"]`, 1), true},
		{"a malformed event: broken JSON", "claims:\n  n: event.userName\n", strings.Replace(piiEvent, `"`+piiSSN+`"`, piiSSN, 1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			h := handler(t, "version: 1\ntriggerVersion: V2_0\n"+tt.mapping, piiStore, &buf, slog.LevelInfo)
			ctx, cancel := invocation("pii", time.Now().Add(5*time.Second))
			defer cancel()
			out, err := h.Invoke(ctx, json.RawMessage(tt.event))
			if (err != nil) != tt.fails {
				t.Fatalf("failed = %v (%v), want %v; log:\n%s", err != nil, err, tt.fails, buf.String())
			}
			shown := ""
			if err != nil {
				shown = err.Error()
			}
			for _, secret := range []string{piiEmail, "zq-secret", piiSSN, "987-65", piiItem, "ItemSecret"} {
				if strings.Contains(buf.String(), secret) {
					t.Errorf("the log at info level holds %q:\n%s", secret, buf.String())
				}
				if strings.Contains(shown, secret) {
					t.Errorf("Cognito would show %q: %s", secret, shown)
				}
			}
			// The log still says what failed, so the operator can act.
			if !tt.fails && !strings.Contains(buf.String(), `"rule":"claims.n"`) && !strings.Contains(buf.String(), `"source":"user"`) {
				t.Errorf("the log does not name the failed rule or source:\n%s", buf.String())
			}
			if tt.fails && !strings.Contains(buf.String(), `"level":"ERROR"`) {
				t.Errorf("a failed event logged no error:\n%s", buf.String())
			}
			_ = out
		})
	}
}

// At debug level the operator who asked for it gets the cause, values and
// all: that is what the level is for.
func TestDebugLevelHasTheCause(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	h := handler(t, "version: 1\ntriggerVersion: V2_0\nonClaimError: fail\nclaims:\n  n: int(event.userAttributes.email)\n", nil, &buf, slog.LevelDebug)
	ctx, cancel := invocation("debug", time.Now().Add(5*time.Second))
	defer cancel()
	if _, err := h.Invoke(ctx, json.RawMessage(piiEvent)); err == nil {
		t.Fatal("the event did not fail")
	}
	if !strings.Contains(buf.String(), `"cause"`) || !strings.Contains(buf.String(), `"reason"`) {
		t.Errorf("the debug log has no cause and reason:\n%s", buf.String())
	}
}
