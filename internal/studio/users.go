package studio

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// A user is who the tokens are shown for: a sample event, an inline test,
// or a user name put into an event template, as preview would.
const (
	kindEvent = "event" // ID: the index in --events
	kindTest  = "test"  // ID: the test's name
	kindName  = "name"  // ID: the user name
)

// userRef is the page's choice of user.
type userRef struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// userInfo is one entry of the page's user list.
type userInfo struct {
	Kind  string `json:"kind"`
	ID    string `json:"id"`
	Label string `json:"label"`
}

// sampleEvent is a decoded --events file.
type sampleEvent struct {
	path  string
	label string
	raw   map[string]any
}

func decodeSample(ef EventFile) (sampleEvent, error) {
	if _, err := mapper.DecodeEvent(ef.Raw); err != nil {
		return sampleEvent{}, fmt.Errorf("%s: %w", ef.Path, err)
	}
	var raw map[string]any
	if err := json.Unmarshal(ef.Raw, &raw); err != nil {
		return sampleEvent{}, fmt.Errorf("%s: %w", ef.Path, err)
	}
	ev, _ := mapper.DecodeEvent(ef.Raw)
	label := filepath.Base(ef.Path)
	if ev.UserName != "" {
		label = ev.UserName + " (" + label + ")"
	}
	return sampleEvent{path: ef.Path, label: label, raw: raw}, nil
}

// template is the event a typed user name goes into when no --events were
// given: a sign-in, as Cognito sends it to a V1_0 trigger.
const template = `{
  "version": "1",
  "triggerSource": "TokenGeneration_Authentication",
  "region": "us-east-1",
  "userPoolId": "us-east-1_EXAMPLE",
  "userName": "",
  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "example-app-client"},
  "request": {
    "userAttributes": {"sub": "00000000-0000-0000-0000-000000000001", "email_verified": "true", "cognito:user_status": "CONFIRMED"},
    "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
    "scopes": ["openid", "profile", "aws.cognito.signin.user.admin"]
  },
  "response": {}
}`

// eventFor builds the event JSON of a user other than an inline test: the
// sample event itself, or the first sample (or the template) with the
// typed user name.
func (s *Server) eventFor(u userRef) (map[string]any, error) {
	switch u.Kind {
	case kindEvent:
		for i, e := range s.events {
			if fmt.Sprint(i) == u.ID {
				return deepCopy(e.raw), nil
			}
		}
		return nil, fmt.Errorf("there is no sample event %q", u.ID)
	case kindName:
		name := strings.TrimSpace(u.ID)
		if name == "" {
			return nil, fmt.Errorf("type a user name")
		}
		var raw map[string]any
		if len(s.events) > 0 {
			raw = deepCopy(s.events[0].raw)
		} else {
			json.Unmarshal([]byte(template), &raw)
		}
		raw["userName"] = name
		return raw, nil
	}
	return nil, fmt.Errorf("choose a user: %q is not a kind of user", u.Kind)
}

// withVersion sets the trigger version of an event ("1", "2" or "3"); ""
// keeps the event's own. A client-credentials event exists only in version 3.
func withVersion(raw map[string]any, version string) (*mapper.Event, error) {
	switch version {
	case "", "1", "2", "3":
	default:
		return nil, fmt.Errorf("the trigger version should be 1, 2 or 3, not %q", version)
	}
	if version != "" {
		raw["version"] = version
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	ev, err := mapper.DecodeEvent(b)
	if err != nil {
		return nil, err
	}
	if ev.ClientCredentials() && ev.Version != "3" {
		return nil, fmt.Errorf("a client-credentials event (a token for an app, with no user) exists only for V3_0 triggers; choose V3")
	}
	return ev, nil
}

// userList is every user the page offers: the sample events, the users of
// the local data the mapping looks up by user name, and the inline tests.
func (s *Server) userList(m *config.Mapping, cases []*inlinetest.Case) []userInfo {
	var out []userInfo
	for i, e := range s.events {
		out = append(out, userInfo{Kind: kindEvent, ID: fmt.Sprint(i), Label: e.label})
	}
	for _, name := range s.dataUsers(m) {
		out = append(out, userInfo{Kind: kindName, ID: name, Label: name})
	}
	for _, c := range cases {
		out = append(out, userInfo{Kind: kindTest, ID: c.Name, Label: c.Name})
	}
	return out
}

// dataUsers lists the user names in the local data: the key values of
// every table a source looks up by event.userName.
func (s *Server) dataUsers(m *config.Mapping) []string {
	if s.opts.Data == nil || m == nil {
		return nil
	}
	seen := map[string]bool{}
	var names []string
	for _, src := range m.Sources {
		if len(src.Key) != 1 || src.Key[0].Value == nil || strings.TrimSpace(src.Key[0].Value.Code) != "event.userName" {
			continue
		}
		items, _ := s.opts.Data.Items(src.Table)
		for _, it := range items {
			if v, ok := it[src.Key[0].Attr].(string); ok && v != "" && !seen[v] {
				seen[v] = true
				names = append(names, v)
			}
		}
	}
	return names
}

// attributeNames lists, per source, the attribute names its table's items
// have in the local data, for completion in the editor.
func (s *Server) attributeNames(m *config.Mapping) map[string][]string {
	out := map[string][]string{}
	if m == nil {
		return out
	}
	for _, src := range m.Sources {
		seen := map[string]bool{}
		if s.opts.Data != nil {
			items, _ := s.opts.Data.Items(src.Table)
			for _, it := range items {
				for k := range it {
					seen[k] = true
				}
			}
		}
		names := make([]string, 0, len(seen))
		for k := range seen {
			names = append(names, k)
		}
		sort.Strings(names)
		out[src.Name] = names
	}
	return out
}

func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}
