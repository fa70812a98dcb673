package studio

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/localdata"
)

// A mapping that finds its user by sub, as pools that sign in by email do:
// the studio's data users and typed users must sign in with that sub, as
// diff's users do, or the studio shows every one of them as missing.
const subKeyed = `version: 1
sources:
  user:
    table: Users
    key:
      id: event.userAttributes.sub
claims:
  firstName: user.FirstName
`

const (
	anaSub      = "0f6c1d2e-0000-4000-8000-00000000a0a0"
	templateSub = "9b9b9b9b-0000-4000-8000-00000000b0b0"
)

func subKeyedStudio(t *testing.T) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"mapping.yaml": subKeyed,
		"users.yaml":   "tables:\n  Users:\n    - { id: " + anaSub + ", FirstName: Ana, Tier: gold }\n    - { id: " + templateSub + ", FirstName: Template, Tier: none }\n",
		// The sample event is another user's: its sub must not stick to a
		// typed user.
		"event.json": `{"version":"2","triggerSource":"TokenGeneration_HostedAuth","region":"us-east-1","userPoolId":"us-east-1_X",
"userName":"tom","callerContext":{"clientId":"c"},"request":{"userAttributes":{"sub":"` + templateSub + `","email":"tom@example.com"},"scopes":[]},"response":{}}`,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, err := localdata.Load(filepath.Join(dir, "users.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{Mapping: filepath.Join(dir, "mapping.yaml"), Store: data, Data: data, DataPath: filepath.Join(dir, "users.yaml"),
		Events: []EventFile{{Path: filepath.Join(dir, "event.json"), Raw: []byte(files["event.json"])}}})
	if err != nil {
		t.Fatal(err)
	}
	s.Allow(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000})
	return s, dir
}

func TestUsersOfASubKeyedMappingAreFoundByTheirSub(t *testing.T) {
	t.Parallel()
	s, _ := subKeyedStudio(t)
	t.Run("the data's users are offered, by sub", func(t *testing.T) {
		_, out := call(t, s, "GET", "/api/session", nil)
		var names []string
		for _, u := range out["users"].([]any) {
			if u := u.(map[string]any); u["kind"] == kindName {
				names = append(names, u["id"].(string))
			}
		}
		if strings.Join(names, ",") != anaSub+","+templateSub {
			t.Errorf("the user list offers %q; want both subs of the data", names)
		}
	})
	t.Run("a chosen user signs in with their sub, not the sample event's", func(t *testing.T) {
		code, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: subKeyed, User: userRef{kindName, anaSub}})
		if code != 200 || out["problem"] != nil {
			t.Fatal(code, out)
		}
		if c := claims(t, out, "ID token")["firstName"]; c["value"] != "Ana" {
			t.Errorf("firstName is %v; want Ana, found by her sub", c)
		}
	})
	t.Run("the changes count the data's users as found", func(t *testing.T) {
		edited := subKeyed + "  tier: user.Tier\n"
		code, out := call(t, s, "POST", "/api/changes", sourceRequest{Source: edited})
		if code != 200 || out["problem"] != nil {
			t.Fatal(code, out)
		}
		// The sample event's user, and the data's two by sub.
		if text := out["text"].(string); !strings.Contains(text, anaSub+"\n  ID token\n    + claim tier: \"gold\"") || out["users"].(float64) != 3 {
			t.Errorf("the comparison over %v users reads:\n%s\nwant Ana's tier gold among 3 users", out["users"], text)
		}
	})
}

// The studio and the command line rewrite an event with one function
// (workspace.SignIn): for the same user, groups and version, the event a
// page shows is the one preview --user --group --version runs.
func TestTheStudioAndTheCLIGiveTheSameEvent(t *testing.T) {
	t.Parallel()
	s, dir := subKeyedStudio(t)
	for _, version := range []string{"", "1", "3"} {
		for _, groups := range [][]string{nil, {"admins", "ops"}} {
			t.Run(fmt.Sprintf("version %q, groups %q", version, groups), func(t *testing.T) {
				t.Parallel()
				var page *[]string
				if groups != nil {
					page = &groups
				}
				rn := s.run(context.Background(), s.open([]byte(subKeyed)), userRef{kindName, anaSub}, version, page)
				if rn.err != nil {
					t.Fatal(rn.err)
				}
				f := cli.Event{Mapping: filepath.Join(dir, "mapping.yaml"), Event: filepath.Join(dir, "event.json"), Data: filepath.Join(dir, "users.yaml"),
					Env: cli.Env{}, Version: cli.Version(version), User: anaSub, Groups: groups}
				in, err := f.Load(context.Background(), "claimsmapper preview", nil, slog.New(slog.DiscardHandler), func(string) {})
				if err != nil {
					t.Fatal(err)
				}
				var want map[string]any
				if err := json.Unmarshal(in.Raw, &want); err != nil {
					t.Fatal(err)
				}
				if in.Event.UserName != anaSub || (groups != nil && !slices.Equal(in.Event.Groups, groups)) || (version != "" && in.Event.Version != version) {
					t.Errorf("the command line's event is not the one asked for: %+v", in.Event)
				}
				if !reflect.DeepEqual(rn.raw, want) || !reflect.DeepEqual(rn.event, in.Event) {
					t.Errorf("the studio's event:\n%v\nthe command line's:\n%v", rn.raw, want)
				}
			})
		}
	}
}
