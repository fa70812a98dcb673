package changes_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

func load(t testing.TB, src string, store mapper.Store) *mapper.Mapper {
	t.Helper()
	mp, fs := loaded(mapper.Load([]byte(src), mapper.LoadOptions{File: "m.yaml", Store: store}))
	if err := config.Errors(fs); err != nil {
		t.Fatal(err)
	}
	return mp
}

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   any
		want any
	}{
		{"long text keeps three characters", "alice@example.com", "ali…"},
		{"short text keeps fewer", "admin", "a…"},
		{"very short text keeps none", "eu", "…"},
		{"characters, not bytes, are kept", "ééééééééé", "éé…"},
		{"a number is hidden", float64(42), "<number>"},
		{"true stays", true, true},
		{"null stays", nil, nil},
		{"a list is masked item by item", []any{"readers", int64(3)}, []any{"r…", "<number>"}},
		{"an object's keys the mapping writes stay", map[string]any{"plan": "enterprise"}, map[string]any{"plan": "en…"}},
		{"an object's other keys are numbered", map[string]any{"+1-555-867-5309": "home", "+1-555-000": "w"},
			map[string]any{"<key 1>": "…", "<key 2>": "h…"}},
		{"text the mapping writes shows", "free", "free"},
	}
	lit := changes.Literals{"plan": true, "free": true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lit.Mask(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Mask(%#v) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCompareReportsATypeChangeAsAChange(t *testing.T) {
	t.Parallel()
	ev := event(t, "2", "ben")
	before := load(t, "version: 1\nclaims:\n  admin: '\"true\"'\n", nil)
	after := load(t, "version: 1\nclaims:\n  admin: 'true'\n", nil)
	r, err := changes.Compare(context.Background(), before, after, []changes.Case{{User: "ben", Event: ev}})
	if err != nil {
		t.Fatal(err)
	}
	if r.Changed != 1 || len(r.Changes) != 2 {
		t.Fatalf("got %+v, want the claim changed in both tokens", r)
	}
	var b strings.Builder
	if err := changes.Write(&b, r, changes.Options{Format: changes.FormatText}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "(text → true/false)") {
		t.Errorf("the text report does not name the type change:\n%s", b.String())
	}
}

func TestCompareStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	mp := load(t, "version: 1\nclaims:\n  a: '1'\n", nil)
	if _, err := changes.Compare(ctx, mp, mp, []changes.Case{{User: "ben", Event: event(t, "2", "ben")}}); err == nil {
		t.Error("Compare succeeded after its context ended")
	}
}

func TestExpandPutsEachUserInTheTemplate(t *testing.T) {
	t.Parallel()
	keys, err := changes.ParseUsers("users.txt", []byte("# a comment\nben\n\n0f8fad5b-d9cb-469f-a165-70867728950e\n"))
	if err != nil {
		t.Fatal(err)
	}
	cases, err := changes.Expand(changes.DefaultTemplate, keys)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 || cases[0].Event.UserName != "ben" || cases[0].Event.UserAttributes["sub"] != nil {
		t.Fatalf("first user: %+v", cases[0].Event)
	}
	if sub := cases[1].Event.UserAttributes["sub"]; sub != "0f8fad5b-d9cb-469f-a165-70867728950e" || cases[1].Event.UserName != sub {
		t.Errorf("a UUID should be the sub and the user name: %+v", cases[1].Event)
	}
}

func TestFindUserTableReadsTheKeyFromTheEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key string
		want      map[string]string
	}{
		{"the user name", "event.userName", map[string]string{"id": "userName"}},
		{"a user attribute", "event.userAttributes.sub", map[string]string{"id": "userAttributes.sub"}},
		{"a user attribute in brackets", `event.userAttributes["custom:id"]`, map[string]string{"id": "userAttributes.custom:id"}},
		{"a prefixed user name, as in a single-table design", `"USER#" + event.userName`, map[string]string{"id": "userName"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "version: 1\nsources:\n  user:\n    table: Users\n    key: { id: '" + tt.key + "' }\nclaims:\n  a: user?.a\n"
			m, fs := config.Parse("m.yaml", []byte(src), config.Options{})
			if err := config.Errors(fs); err != nil {
				t.Fatal(err)
			}
			ut, ok := changes.FindUserTable(m, "")
			if !ok || ut.Table != "Users" || !reflect.DeepEqual(ut.Fields, tt.want) {
				t.Errorf("got %+v, %v; want Users with %v", ut, ok, tt.want)
			}
		})
	}
}

func event(t testing.TB, version, user string) *mapper.Event {
	t.Helper()
	raw, _ := json.Marshal(map[string]any{
		"version": version, "triggerSource": "TokenGeneration_Authentication", "userName": user,
		"request": map[string]any{"userAttributes": map[string]any{"sub": "s-" + user}},
	})
	ev, err := mapper.DecodeEvent(raw)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// Compare evaluates two mappings for the same users; Write shows what differs.
func ExampleCompare() {
	data := localdata.New(map[string][]mapper.Item{"Users": {
		{"userName": "ben", "plan": "pro", "roles": []any{"readers"}},
		{"userName": "jane", "plan": "free"},
	}})
	before, _ := loaded(mapper.Load([]byte(`version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  plan: user.plan
`), mapper.LoadOptions{Store: data}))
	after, _ := loaded(mapper.Load([]byte(`version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  plan: 'user.plan == "pro" ? "premium" : user.plan'
groups:
  override: user.roles ?? []
`), mapper.LoadOptions{Store: data}))
	keys, _ := changes.ParseUsers("users.txt", []byte("ben\njane\n"))
	cases, _ := changes.Expand(changes.DefaultTemplate, keys)
	report, _ := changes.Compare(context.Background(), before, after, cases)
	changes.Write(os.Stdout, report, changes.Options{Format: changes.FormatText, ShowValues: true, ShowUsers: true})
	// Output:
	// ben
	//   ID token
	//     ~ claim plan: "pro" → "premium"
	//     + group readers
	//   access token
	//     ~ claim plan: "pro" → "premium"
	//     + group readers
	//
	// 2 users examined, 1 changed.
	//   claim plan: changed for 1 user
	//   group readers: gained by 1 user
}

func TestHostileNamesAndValuesStayInTheirPlace(t *testing.T) {
	t.Parallel()
	r := &changes.Report{Users: 1, Changed: 1, Changes: []changes.Change{
		{User: "eve\x1b[31m|</details>", Token: "id", Kind: changes.KindClaim, Name: "a|b", Before: "x`|y\nz", HasBefore: true, After: "<b>", HasAfter: true},
		{User: "eve\x1b[31m|</details>", Token: "id", Kind: changes.KindGroups, Name: "g\x07", After: "g\x07", HasAfter: true},
	}}
	var text, md strings.Builder
	if err := changes.Write(&text, r, changes.Options{Format: changes.FormatText, ShowValues: true}); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(text.String(), "\x1b\x07") {
		t.Errorf("control characters reach the terminal:\n%q", text.String())
	}
	if err := changes.Write(&md, r, changes.Options{Format: changes.FormatMarkdown, ShowValues: true}); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(line, "| eve") && strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") != 6 {
			t.Errorf("a row has extra cells: %s", line)
		}
	}
	if strings.Count(md.String(), "</details>") != 1 {
		t.Errorf("a name closed the details block:\n%s", md.String())
	}
}

func TestKeysFromItemsKeepsTheUsersOfASingleTable(t *testing.T) {
	t.Parallel()
	ut := changes.UserTable{Table: "App", Fields: map[string]string{"PK": "userName"}, Prefixes: map[string]string{"PK": "USER#"}}
	keys, err := changes.KeysFromItems([]mapper.Item{{"PK": "USER#ann"}, {"PK": "ORG#acme"}, {"SK": "x"}}, ut)
	if err != nil || len(keys) != 1 || keys[0]["userName"] != "ann" {
		t.Errorf("got %v, %v; want ann alone", keys, err)
	}
	if _, err := changes.KeysFromItems([]mapper.Item{{"PK": "ORG#acme"}}, ut); err == nil {
		t.Error("no user item should be an error")
	}
}

// A claim that starts failing quotes the user's value in its cause; the
// masked report, the one pasted in pull requests, names the claim and keeps
// the value out.
func TestMaskedReportKeepsAFailingValueOut(t *testing.T) {
	t.Parallel()
	const secret = "Secret-Ben-1234"
	before := load(t, "version: 1\nclaims:\n  age: event.userName\n", nil)
	after := load(t, "version: 1\nonClaimError: fail\nclaims:\n  age: int(event.userName)\n", nil)
	r, err := changes.Compare(context.Background(), before, after, []changes.Case{{User: "ben", Event: event(t, "2", secret)}})
	if err != nil {
		t.Fatal(err)
	}
	var unmasked strings.Builder
	for _, format := range []string{changes.FormatText, changes.FormatJSON, changes.FormatMarkdown} {
		var b strings.Builder
		if err := changes.Write(&b, r, changes.Options{Format: format}); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), "Ben-1234") {
			t.Errorf("%v: the masked report quotes the user's value:\n%s", format, b.String())
		}
		if !strings.Contains(b.String(), `age`) {
			t.Errorf("%v: the masked report does not name the failing claim:\n%s", format, b.String())
		}
	}
	if err := changes.Write(&unmasked, r, changes.Options{Format: changes.FormatText, ShowValues: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(unmasked.String(), secret) {
		t.Errorf("with values shown, the cause is missing:\n%s", unmasked.String())
	}
}

// Group, role and scope names and object keys are expressions over user
// data as much as claim values are; so are user names. A masked report, the
// one for pull requests, shows none of them in any format, and shows the
// text the mapping writes itself.
func TestMaskedReportHidesEverythingComputedFromData(t *testing.T) {
	t.Parallel()
	secrets := []string{"alice.secret@example.com", "ssn-078-05-1120", "+1-555-867-5309", "arn:aws:iam::1:role/hidden-x", "sub-7f3a9"}
	data := localdata.New(map[string][]mapper.Item{"Users": {
		{"userName": "sub-7f3a9", "email": secrets[0], "ssn": secrets[1], "phone": secrets[2], "role": secrets[3]},
	}})
	const src = `version: 1
triggerVersion: V2_0
sources:
  user:
    table: Users
    key: { userName: event.userName }
groups:
  override: '["staff", user.email, "ssn-" + user.ssn]'
  iamRoles: '[user.role]'
  preferredRole: user.role
scopes:
  add: ['"email:" + user.email', '"orders/read"']
claims:
  phones: '{(user.phone): "home"}'
  plan: '"free"'
`
	before := load(t, "version: 1\ntriggerVersion: V2_0\nclaims:\n  x: '1'\n", data)
	after := load(t, src, data)
	r, err := changes.Compare(context.Background(), before, after, []changes.Case{{User: "sub-7f3a9", Event: event(t, "2", "sub-7f3a9")}})
	if err != nil {
		t.Fatal(err)
	}
	lit := changes.LiteralsOf([]byte(src))
	for _, format := range []string{changes.FormatText, changes.FormatJSON, changes.FormatMarkdown} {
		var b strings.Builder
		if err := changes.Write(&b, r, changes.Options{Format: format, Literals: lit}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, s := range secrets {
			for _, part := range []string{s, strings.SplitN(s, "@", 2)[0], "078-05", "867-5309", "hidden-x"} {
				if strings.Contains(out, part) && strings.Contains(s, part) {
					t.Errorf("%s: the masked report shows %q:\n%s", format, part, out)
				}
			}
		}
		for _, shown := range []string{"staff", "orders/read", "free", "user 1"} {
			if !strings.Contains(out, shown) {
				t.Errorf("%s: the masked report hides %q, which the mapping writes:\n%s", format, shown, out)
			}
		}
		var all strings.Builder
		changes.Write(&all, r, changes.Options{Format: format, Literals: lit, ShowValues: true, ShowUsers: true})
		for _, s := range secrets {
			if !strings.Contains(all.String(), s) {
				t.Errorf("%s: with --show-values --show-users, %q is missing:\n%s", format, s, all.String())
			}
		}
	}
}

// loaded is every finding of mapper.Load with its Mapper, as the tests
// before Load returned an error read them.
func loaded(mp *mapper.Mapper, warnings []config.Finding, err error) (*mapper.Mapper, []config.Finding) {
	return mp, authoring.Findings(mp, warnings, err)
}

// An event that is not an object reaches SignInAs and WithGroups straight
// from --event (claimsmapper preview --user/--group): each says so in the
// event's terms, without a Go type and without panicking on null.
func TestRewritingAnEventThatIsNotAnObject(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{`null`, `[1]`, `"x"`, `{`, ``} {
		_, _, err := changes.SignInAs([]byte(raw), changes.Key{"userName": "ben"})
		if err == nil || strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "json:") {
			t.Errorf("SignInAs(%s): %v, want a plain error", raw, err)
		}
		_, err = changes.WithGroups([]byte(raw), []string{"g"})
		if err == nil || strings.Contains(err.Error(), "Go ") || strings.Contains(err.Error(), "json:") {
			t.Errorf("WithGroups(%s): %v, want a plain error", raw, err)
		}
	}
}

func TestALabelIsTheFirstNameThatIsNotEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  changes.Key
		want string
	}{
		{"the user name first", changes.Key{"userName": "ben", "userAttributes.sub": "s-1"}, "ben"},
		{"an empty user name gives way to the first attribute", changes.Key{"userName": "", "userAttributes.sub": "s-1"}, "s-1"},
		{"no user name at all, the first attribute", changes.Key{"userAttributes.email": "b@example.com", "userAttributes.sub": "s-1"}, "b@example.com"},
		{"an empty attribute gives way to the next", changes.Key{"userName": "", "userAttributes.email": "", "userAttributes.sub": "s-1"}, "s-1"},
		{"nothing set names no one", changes.Key{"userName": ""}, ""},
	}
	for _, tt := range tests {
		if got := tt.key.Label(); got != tt.want {
			t.Errorf("%s: Label() = %q, want %q", tt.name, got, tt.want)
		}
	}
}
