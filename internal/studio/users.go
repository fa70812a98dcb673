package studio

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
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
	ev, err := mapper.DecodeEvent(ef.Raw)
	if err != nil {
		return sampleEvent{}, fmt.Errorf("%s: %w", ef.Path, err)
	}
	// An event DecodeEvent accepts is a JSON object.
	var raw map[string]any
	if err := json.Unmarshal(ef.Raw, &raw); err != nil {
		return sampleEvent{}, fmt.Errorf("%s: %w", ef.Path, err)
	}
	label := filepath.Base(ef.Path)
	if ev.UserName != "" {
		label = ev.UserName + " (" + label + ")"
	}
	return sampleEvent{path: ef.Path, label: label, raw: raw}, nil
}

// template is the event a typed user name goes into, as diff expands
// users: the first sample event, or diff's default sign-in.
func (s *Server) template() []byte {
	if len(s.events) > 0 {
		b, _ := json.Marshal(s.events[0].raw)
		return b
	}
	return changes.DefaultTemplate
}

// eventFor is the event JSON a user other than an inline test starts
// from, and the user it is then signed in as (workspace.SignIn): the
// sample event itself, or for a typed user name the template, signed in as
// diff signs each user in (changes.SignInAs): the user's key fields (the
// user name, and the sub or attribute the mapping reads its user by)
// replace the template's user attributes, which are its own user's, not
// the typed one's.
func (s *Server) eventFor(u userRef) (raw []byte, user string, err error) {
	switch u.Kind {
	case kindEvent:
		for i, e := range s.events {
			if fmt.Sprint(i) == u.ID {
				raw, err := json.Marshal(e.raw)
				return raw, "", err
			}
		}
		return nil, "", fmt.Errorf("there is no sample event %q", u.ID)
	case kindName:
		name := strings.TrimSpace(u.ID)
		if name == "" {
			return nil, "", fmt.Errorf("type a user name")
		}
		return s.template(), name, nil
	}
	return nil, "", fmt.Errorf("choose a user: %q is not a kind of user", u.Kind)
}

// userList is every user the page offers: the sample events, the users of
// the local data the mapping looks up by user name, and the inline tests.
func (s *Server) userList(m *config.Mapping, cases []*inlinetest.Case) []userInfo {
	var out []userInfo
	for i, e := range s.events {
		out = append(out, userInfo{Kind: kindEvent, ID: fmt.Sprint(i), Label: e.label})
	}
	for _, name := range workspace.DataUsers(m, s.opts.Data) {
		out = append(out, userInfo{Kind: kindName, ID: name, Label: name})
	}
	for _, c := range cases {
		out = append(out, userInfo{Kind: kindTest, ID: c.Name, Label: c.Name})
	}
	return out
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
			items, _ := s.opts.Data.Rows(src.Table)
			for _, it := range items {
				for k := range it {
					seen[k] = true
				}
			}
		}
		out[src.Name] = slices.Sorted(maps.Keys(seen))
	}
	return out
}
