package everyuser_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/everyuser"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

func data(t *testing.T, src string) *localdata.Data {
	t.Helper()
	d, err := localdata.Parse("users.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const users = `tables:
  Users:
    - { userName: benbpyle, FirstName: Ben, LastName: Pyle }
    - { userName: jdoe, FirstName: Jane, LastName: Doe }
    - { userName: nonames }
`

func check(t *testing.T, mapping string, samples ...everyuser.Sample) []config.Finding {
	t.Helper()
	return everyuser.Check(context.Background(), "m.yaml", []byte(mapping), nil, samples)
}

func TestAClaimThatFailsForOneUserIsFoundWithTheFix(t *testing.T) {
	t.Parallel()
	fs := check(t, `version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  name: user.FirstName + " " + user.LastName
`, everyuser.Sample{Data: data(t, users)})
	if len(fs) != 1 {
		t.Fatalf("findings: %v", fs)
	}
	f := fs[0]
	for _, want := range []string{"fails for 1 of 3 sample users", "user.FirstName and user.LastName are missing", "`+` cannot join nothing to text", `(user.FirstName ?? "")`} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("%q lacks %q", f.Message, want)
		}
	}
	if f.Rule != everyuser.RuleFails || f.Severity != config.SevWarning || f.Pos.Line != 5 {
		t.Errorf("rule %s, severity %v, line %d", f.Rule, f.Severity, f.Pos.Line)
	}
	// Names are masked as diff masks values: "nonames" is data.
	if strings.Contains(f.Message, "nonames") {
		t.Errorf("the user's name is shown: %s", f.Message)
	}
}

func TestAClaimThatFailsWithPolicyFailSaysTheSignInFails(t *testing.T) {
	t.Parallel()
	fs := check(t, `version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  name:
    value: user.FirstName + "!"
    onError: fail
`, everyuser.Sample{Data: data(t, users)})
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "their sign-in fails") {
		t.Fatalf("findings: %v", fs)
	}
}

func TestNothingIsReportedForWhatTheMappingLeavesOutOnPurpose(t *testing.T) {
	t.Parallel()
	fs := check(t, `version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  name:
    value: user.FirstName + " " + user.LastName
    when: user.FirstName != nil && user.LastName != nil
  first: user.FirstName ?? ""
  # null for every user is unknown-attribute's to report, by name
  misspelt: user.Firstname
`, everyuser.Sample{Data: data(t, users)})
	if len(fs) != 0 {
		t.Fatalf("findings: %v", fs)
	}
}

func TestAUserInTwoSamplesCountsOnce(t *testing.T) {
	t.Parallel()
	const mapping = `version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  nick: user.Nick
`
	d := data(t, `tables:
  Users:
    - { userName: a, Nick: x }
    - { userName: b }
`)
	fs := check(t, mapping, everyuser.Sample{Data: d}, everyuser.Sample{Data: d})
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "1 of 2 sample users") || fs[0].Rule != everyuser.RuleLeftOut {
		t.Fatalf("findings: %v", fs)
	}
}

// Hostile sample data: a table of many users stays within MaxUsers, and a
// sample whose mapping does not load, or with no user table, is passed over.
func TestSamplesAreBoundedAndBadOnesPassedOver(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("tables:\n  Users:\n")
	for i := range everyuser.MaxUsers + 50 {
		b.WriteString("    - { userName: u" + strconv.Itoa(i) + " }\n")
	}
	fs := check(t, `version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  n: user.N + 1
`, everyuser.Sample{Data: data(t, b.String())}, everyuser.Sample{Data: data(t, "tables: { Other: [ { id: x } ] }")}, everyuser.Sample{})
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "fails for 500 of 500 sample users") {
		t.Fatalf("findings: %v", fs)
	}
	if fs := check(t, "version: 1\nclaims: { a: usr.x }\n", everyuser.Sample{Data: data(t, users)}); len(fs) != 0 {
		t.Errorf("a mapping that does not load: %v", fs)
	}
	ev, err := mapper.DecodeEvent([]byte(`{"version":"1","userName":"x","request":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if fs := check(t, "version: 1\nclaims: { a: event.userName + \"!\" }\n", everyuser.Sample{Data: data(t, users), Event: ev}); len(fs) != 0 {
		t.Errorf("a mapping with no user table: %v", fs)
	}
}

func TestShapes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, expr string
		rules      []string
	}{
		{"a ?? inside a join covers its one part", `user.FirstName + " " + user.LastName ?? event.userName`, []string{everyuser.RuleFallbackCoversOnePart}},
		{"a join over attributes may fail", `user.FirstName + " " + user.LastName`, []string{everyuser.RuleJoinMayFail, everyuser.RuleJoinMayFail}},
		{"a join with a default on each part is fine", `(user.FirstName ?? "") + " " + (user.LastName ?? "")`, nil},
		{"a join of event fields is fine", `event.userName + "@" + event.region`, nil},
		{"a sum over an attribute may fail", `user.Age + 1`, []string{everyuser.RuleJoinMayFail}},
		{"a join guarded inside the expression is still a join", `user.FirstName != nil ? user.FirstName + "!" : ""`, []string{everyuser.RuleJoinMayFail}},
		{"text that does not parse is the loader's", `user.FirstName +`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, fs := config.Parse("m.yaml", []byte("version: 1\nsources:\n  user: { table: Users, key: { userName: event.userName } }\nclaims:\n  c: '"+tc.expr+"'\n"), config.Options{})
			if m == nil {
				if tc.rules != nil {
					t.Fatalf("does not parse: %v", fs)
				}
				return
			}
			var got []string
			for _, f := range everyuser.Shapes(m) {
				got = append(got, f.Rule)
				if f.Pos.Line != 5 || !strings.Contains(f.Message, "user.") {
					t.Errorf("finding %v", f)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.rules, ",") {
				t.Errorf("rules %v, want %v", got, tc.rules)
			}
		})
	}
}

func TestAJoinItsWhenChecksIsNotHinted(t *testing.T) {
	t.Parallel()
	m, fs := config.Parse("m.yaml", []byte(`version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  full:
    value: user.FirstName + " " + user.LastName
    when: user?.FirstName != nil && user.LastName != nil
`), config.Options{})
	if m == nil {
		t.Fatal(fs)
	}
	if got := everyuser.Shapes(m); len(got) != 0 {
		t.Errorf("findings: %v", got)
	}
}

// A check whose time is up reports nothing rather than the deadline as
// every claim's failure.
func TestACheckOutOfTimeReportsNothingFalse(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fs := everyuser.Check(ctx, "m.yaml", []byte(`version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  name: user.FirstName + "!"
`), nil, []everyuser.Sample{{Data: data(t, users)}})
	if len(fs) != 0 {
		t.Errorf("findings: %v", fs)
	}
}

// Hostile claims fail at the mapping's own limits, for each user: lint
// says so in words, and ends.
func TestHostileClaimsAreReportedNotRunForever(t *testing.T) {
	t.Parallel()
	fs := check(t, `version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  big: 'reduce(1..64, #acc + #acc, user.userName)'
`, everyuser.Sample{Data: data(t, users)})
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "fails for 3 of 3 sample users") || !strings.Contains(fs[0].Message, "at most") {
		t.Fatalf("findings: %v", fs)
	}
}
