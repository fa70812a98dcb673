package mapper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestComputedGroupNamesCognitoRefuses: a groups: rule whose value holds a
// group name or role ARN that Cognito does not allow (computed, so lint
// cannot see it) fails as its onError says: under omit the request's value
// is kept and a warning names the rule, never the value; under fail the
// sign-in fails on that rule. The values come from the event's userName
// (jdoe), standing for users' data.
func TestComputedGroupNamesCognitoRefuses(t *testing.T) {
	t.Parallel()
	groupDetails := []string{"claimsAndScopeOverrideDetails", "groupOverrideDetails"}
	kept := `{"groupsToOverride":["readers","editors"],"iamRolesToOverride":[],"preferredRole":null}`
	tests := []struct {
		name, rule, expr string
		// secret is what the value holds of the user's that no log may show.
		secret string
		// want is the group details under omit ("" when the rule fires).
		want string
	}{
		{"a name with a space", "override", `[event.userName + " x"]`, "jdoe x", kept},
		{"an empty name", "override", `["ops", trim(event.userName, event.userName)]`, "", kept},
		{"a name of spaces only", "override", `[replace(event.userName, "jdoe", "   ")]`, "   ", kept},
		{"a name of 129 characters", "override", `[repeat(event.userName, 32) + "j"]`, strings.Repeat("jdoe", 32), kept},
		{"a name with a zero-width space", "override", `[event.userName + "\u200b"]`, "jdoe\u200b", kept},
		{"one name that is text, not a list", "override", `event.userName + " "`, "jdoe ", kept},
		{"a role with a newline", "iamRoles", `["arn:aws:iam::123456789012:role/" + event.userName + "\n"]`, "role/jdoe\n", kept},
		{"a preferred role of 2,049 characters", "preferredRole", `"arn:aws:iam::1:role/" + repeat(event.userName, 508) + "x"`, strings.Repeat("jdoe", 508), kept},
		{"an empty preferred role", "preferredRole", `trim(event.userName, event.userName)`, "", kept},
		{"names Cognito allows", "override", `[event.userName, "ａｄｍｉｎ", "R+D/EU", "café", "\uFFFD", repeat("g", 128)]`, "",
			`{"groupsToOverride":["jdoe","ａｄｍｉｎ","R+D/EU","café","�","` + strings.Repeat("g", 128) + `"],"iamRolesToOverride":[],"preferredRole":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, policy := range []string{"omit", "fail"} {
				var logs bytes.Buffer
				src := "version: 1\ngroups:\n  " + tt.rule + ": '" + strings.ReplaceAll(tt.expr, "'", "''") + "'\n  onError: " + policy + "\nclaims:\n  a: '1'\n"
				mp, err := loadErr(mapper.Load([]byte(src), mapper.LoadOptions{File: "mapping.yaml",
					Env:    config.Env{Lookup: func(string) (string, bool) { return "", false }},
					Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}))
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				out, err := mp.Handle(context.Background(), event(t, "v2"))
				fires := strings.HasPrefix(tt.want, `{"groupsToOverride":["jdoe"`)
				switch {
				case fires || policy == "omit":
					if err != nil {
						t.Fatalf("%s: %v", policy, err)
					}
					var resp map[string]any
					if err := json.Unmarshal(out, &resp); err != nil {
						t.Fatal(err)
					}
					got, _ := json.Marshal(dig(resp["response"], groupDetails...))
					if string(got) != tt.want {
						t.Errorf("%s: group details %s, want %s", policy, got, tt.want)
					}
					if !fires && !strings.Contains(logs.String(), "rule=groups."+tt.rule) {
						t.Errorf("%s: no warning names the rule:\n%s", policy, logs.String())
					}
				default:
					var ee *mapper.EventError
					if !errors.As(err, &ee) || ee.Rule != "groups."+tt.rule {
						t.Fatalf("%s: got %v, want the sign-in failed on groups.%s", policy, err, tt.rule)
					}
					if strings.TrimSpace(tt.secret) != "" && strings.Contains(ee.Reason+ee.Error(), strings.TrimSpace(tt.secret)) {
						t.Errorf("%s: the failure quotes the value: %s", policy, ee.Reason)
					}
				}
				if strings.TrimSpace(tt.secret) != "" && strings.Contains(logs.String(), strings.TrimSpace(tt.secret)) {
					t.Errorf("%s: the log quotes the value:\n%s", policy, logs.String())
				}
			}
		})
	}
}
