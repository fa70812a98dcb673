package mapper_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestBadEventsGetClearErrors(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nclaims:\n  a: event.userName\n", nil)
	tests := []struct{ name, event, want string }{
		{"not JSON", `{"version": "1",`, "the event is not valid JSON"},
		{"not an object", `[1, 2]`, "the event should be a JSON object, not a list"},
		{"no version", `{"userName": "x"}`, `the event has no "version" field`},
		{"unknown version", `{"version": "4"}`, `event version "4" is not supported`},
		{"version of the wrong type", `{"version": 2}`, `the event's "version" is a number where Cognito sends text`},
		{"user attributes not an object", `{"version": "1", "request": {"userAttributes": []}}`, `"request.userAttributes" is a list where Cognito sends an object`},
		{"groups not text", `{"version": "2", "request": {"groupConfiguration": {"groupsToOverride": [1]}}}`, `is a number where Cognito sends text`},
		{"empty input", ``, "the event is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mp.Handle(context.Background(), []byte(tt.event))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			for _, goType := range []string{"interface", "map[", "[]string", "mapper.", "struct"} {
				if strings.Contains(err.Error(), goType) {
					t.Errorf("message %q shows a Go type", err)
				}
			}
		})
	}
}

func TestUnknownFieldsArePreserved(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nclaims:\n  a: '\"b\"'\n", nil)
	tests := []struct{ name, in, want string }{
		{"response replaced, other fields kept byte for byte",
			`{"version":"1","extra":{"nested":[1,"}",{"response":2}]},"response":{"claimsOverrideDetails":null},"z":true}`,
			`{"version":"1","extra":{"nested":[1,"}",{"response":2}]},"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"a":"b"},"claimsToSuppress":[],"groupOverrideDetails":{"groupsToOverride":[],"iamRolesToOverride":[],"preferredRole":null}}},"z":true}`},
		{"response added when absent",
			`{ "version" : "1" , "x\"y": "response" }`,
			`{ "version" : "1" , "x\"y": "response" ,"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"a":"b"},"claimsToSuppress":[],"groupOverrideDetails":{"groupsToOverride":[],"iamRolesToOverride":[],"preferredRole":null}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := mp.Handle(context.Background(), []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
		})
	}
}

// FuzzDecodeEvent: no input makes the handler panic, and whatever it
// accepts it answers with valid JSON that keeps the event's version.
func FuzzDecodeEvent(f *testing.F) {
	files, _ := filepath.Glob("../testdata/events/*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"version":"2","request":{"userAttributes":{"a":1}}}`))
	f.Add([]byte(`{"version":"1","response":[`))
	mp := load(f, `version: 1
claims:
  a: event.userAttributes.email ?? "x"
  b: event.groups
  c: { value: 'len(event.scopes)', tokens: [access] }
groups:
  override: event.groups
scopes:
  add: [event.clientId]
`, nil)
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := mp.Handle(context.Background(), in)
		if err != nil {
			return
		}
		var v map[string]any
		if err := json.Unmarshal(out, &v); err != nil {
			t.Fatalf("answer is not JSON: %v\nin:  %s\nout: %s", err, in, out)
		}
		if _, ok := v["response"].(map[string]any); !ok {
			t.Fatalf("answer has no response object: %s", out)
		}
	})
}

func TestDecodeEventReadsEveryField(t *testing.T) {
	t.Parallel()
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Version != "2" || ev.UserName != "jdoe" || ev.ClientID != "1example23456789" || ev.UserPoolID != "us-east-1_EXAMPLE" ||
		ev.Region != "us-east-1" || ev.TriggerSource != "TokenGeneration_HostedAuth" || len(ev.Groups) != 2 ||
		len(ev.Scopes) != 4 || ev.UserAttributes["email"] != "jdoe@example.com" || ev.PreferredRole != nil {
		t.Errorf("decoded %+v", ev)
	}
}
