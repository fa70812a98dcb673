package authoring_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestWithVersionRewritesTheEventsShape(t *testing.T) {
	t.Parallel()
	v1, err := os.ReadFile("../../testdata/events/v1.json")
	if err != nil {
		t.Fatal(err)
	}
	v3, err := os.ReadFile("../../testdata/events/v3.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, version string
		event         []byte
		// response is the response object's one key; scopes what request.scopes must be.
		response, scopes string
	}{
		{"a V1 event becomes V2 with the API sign-in's scope", "2", v1, "claimsAndScopeOverrideDetails", `["aws.cognito.signin.user.admin"]`},
		{"a V1 event becomes V3", "3", v1, "claimsAndScopeOverrideDetails", `["aws.cognito.signin.user.admin"]`},
		{"a V1 event stays V1", "1", v1, "claimsOverrideDetails", `null`},
		{"a V2 event keeps its scopes", "3", []byte(`{"version":"2","request":{"scopes":["openid"]},"response":{}}`), "claimsAndScopeOverrideDetails", `["openid"]`},
		{"a V2 event loses its scopes under V1", "1", []byte(`{"version":"2","request":{"scopes":["openid"]}}`), "claimsOverrideDetails", `null`},
		{"a client-credentials event stays V3", "3", v3, "claimsAndScopeOverrideDetails", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := authoring.WithVersion(tt.event, tt.version)
			if err != nil {
				t.Fatal(err)
			}
			ev, err := mapper.DecodeEvent(out)
			if err != nil || ev.Version != tt.version {
				t.Fatalf("rewritten event: %v, version %v", err, ev)
			}
			var raw struct {
				Response map[string]any `json:"response"`
			}
			if err := json.Unmarshal(out, &raw); err != nil {
				t.Fatal(err)
			}
			if _, ok := raw.Response[tt.response]; !ok || len(raw.Response) != 1 {
				t.Errorf("response %v, want only %s", raw.Response, tt.response)
			}
			if got, _ := json.Marshal(ev.Scopes); tt.scopes != "" && string(got) != tt.scopes {
				t.Errorf("scopes %s, want %s", got, tt.scopes)
			}
		})
	}
}

func TestWithVersionRefusesWhatCannotBeRewritten(t *testing.T) {
	t.Parallel()
	v3, err := os.ReadFile("../../testdata/events/v3.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, version, event, want string
	}{
		{"a client-credentials event under V1", "1", string(v3), "only version 3 has"},
		{"a client-credentials event under V2", "2", string(v3), "only version 3 has"},
		{"an unknown version", "4", `{"version":"1"}`, `version "4" is not a Cognito event version`},
		{"not JSON", "2", `{"version":`, "the event is not valid JSON"},
		{"not an object", "2", `[1]`, "should be a JSON object"},
		{"null", "2", `null`, `no "version" field`},
		{"a request that is not an object", "2", `{"version":"1","request":"x"}`, "where Cognito sends an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := authoring.WithVersion([]byte(tt.event), tt.version)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to hold %q", err, tt.want)
			}
		})
	}
}

func TestVersionMismatchSaysWhichVersionToUse(t *testing.T) {
	t.Parallel()
	ev := &mapper.Event{Version: "1"}
	if got := authoring.VersionMismatch("V2_0", ev); !strings.Contains(got, `the event is version 1 but the mapping says triggerVersion: V2_0`) || !strings.Contains(got, "whose trigger is V1_0") {
		t.Errorf("mismatch = %q", got)
	}
	for _, tv := range []string{"", "V1_0"} {
		if got := authoring.VersionMismatch(tv, ev); got != "" {
			t.Errorf("triggerVersion %q: %q, want nothing", tv, got)
		}
	}
}

// FuzzWithVersion: any input either is refused with an error or becomes an
// event of the version asked for, which the mapper then handles.
func FuzzWithVersion(f *testing.F) {
	for _, name := range []string{"v1", "v2", "v3"} {
		b, err := os.ReadFile("../../testdata/events/" + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(1))
	}
	f.Add([]byte(`{"version":"1","request":null,"response":7}`), uint8(2))
	f.Fuzz(func(t *testing.T, in []byte, v uint8) {
		version := string(rune('1' + v%3))
		out, err := authoring.WithVersion(in, version)
		if err != nil {
			return
		}
		ev, err := mapper.DecodeEvent(out)
		if err != nil || ev.Version != version {
			t.Fatalf("rewritten event does not decode as version %s: %v\nin:  %s\nout: %s", version, err, in, out)
		}
	})
}
