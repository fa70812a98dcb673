package mapper_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
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
	f.Add([]byte(cognitoLocalEvent))
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

// cognito-local 5.x sends every trigger event with "version": "0", and for
// Pre Token Generation an empty groupConfiguration and a V1 response object
// (this is its event, as it builds it). Cognito itself sends "1".
const cognitoLocalEvent = `{"version":"0","callerContext":{"awsSdkVersion":"2.1693.0","clientId":"c1"},"region":"local",` +
	`"userPoolId":"local_pool","triggerSource":"TokenGeneration_Authentication","userName":"alice",` +
	`"request":{"userAttributes":{"sub":"s-1","email":"alice@example.com"},"groupConfiguration":{}},` +
	`"response":{"claimsOverrideDetails":{}}}`

func TestCognitoLocalVersionZeroIsReadAsVersionOne(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	mp, err := loadErr(mapper.Load([]byte("version: 1\nclaims:\n  v: event.version\n  n: '[1, 2]'\n"), mapper.LoadOptions{
		File: "mapping.yaml", Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := mp.Handle(context.Background(), []byte(cognitoLocalEvent))
	if err != nil {
		t.Fatalf("cognito-local's event is refused: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got["version"] != "0" {
		t.Errorf("the event's version field was rewritten to %v: every other field goes back as it came", got["version"])
	}
	// A V1 response: every claim text, under claimsOverrideDetails.
	claims := dig(got, "response", "claimsOverrideDetails", "claimsToAddOrOverride")
	if fmt.Sprint(claims) != `map[n:[1,2] v:1]` {
		t.Errorf("claims = %v, want a V1 response where event.version is \"1\"", claims)
	}
	if !strings.Contains(logs.String(), `"msg":"event version read as version 1"`) || !strings.Contains(logs.String(), `"sent":"0"`) {
		t.Errorf("no debug note says version \"0\" was read as 1:\n%s", logs.String())
	}
}

func TestOnlyVersionZeroIsReadAsAnotherVersion(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"00", "0.0", " 0", "1.0", "V1_0", "-1", ""} {
		_, err := mapper.DecodeEvent([]byte(`{"version":"` + v + `"}`))
		if err == nil || !strings.Contains(err.Error(), "is not supported") || !strings.Contains(err.Error(), "cognito-local") {
			t.Errorf("version %q: err = %v, want it refused with the versions handled", v, err)
		}
	}
}
