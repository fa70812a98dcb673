package mapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestOnErrorPerRule: a claim, groups and a scope rule each follow their own
// onError when they set one and the mapping's onClaimError when not, so an
// authorization claim fails closed while a nickname fails open.
func TestOnErrorPerRule(t *testing.T) {
	t.Parallel()
	// int("x") fails at run time whatever the event.
	const bad = `int("x")`
	v2ID := []string{"claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride"}
	tests := []struct {
		name    string
		mapping string
		// failRule is the rule that fails the event, "" when it succeeds.
		failRule string
		path     []string
		want     string
	}{
		{"a claim with onError: fail fails the sign-in under onClaimError: omit",
			"version: 1\nclaims:\n  role: { value: '" + bad + "', onError: fail }\n  nick: '1'\n", "claims.role", nil, ""},
		{"a claim with onError: omit is left out under onClaimError: fail",
			"version: 1\nonClaimError: fail\nclaims:\n  nick: { value: '" + bad + "', onError: omit }\n  a: '1'\n", "", v2ID, `{"a":1}`},
		{"a claim without onError follows onClaimError: fail",
			"version: 1\nonClaimError: fail\nclaims:\n  nick: '" + bad + "'\n  a: '1'\n", "claims.nick", nil, ""},
		{"a claim without onError follows onClaimError: omit",
			"version: 1\nclaims:\n  nick: '" + bad + "'\n  a: '1'\n", "", v2ID, `{"a":1}`},
		{"groups with onError: fail fail the sign-in",
			"version: 1\ngroups:\n  override: '" + bad + "'\n  onError: fail\nclaims:\n  a: '1'\n", "groups.override", nil, ""},
		{"a groups value of the wrong kind under onError: fail fails the sign-in",
			"version: 1\ngroups:\n  preferredRole: '42'\n  onError: fail\nclaims:\n  a: '1'\n", "groups.preferredRole", nil, ""},
		{"groups with onError: omit keep the request's groups under onClaimError: fail",
			"version: 1\nonClaimError: fail\ngroups:\n  override: '" + bad + "'\n  onError: omit\nclaims:\n  a: '1'\n", "",
			[]string{"claimsAndScopeOverrideDetails", "groupOverrideDetails", "groupsToOverride"}, `["readers","editors"]`},
		{"groups without onError follow onClaimError: fail",
			"version: 1\nonClaimError: fail\ngroups:\n  iamRoles: '" + bad + "'\nclaims:\n  a: '1'\n", "groups.iamRoles", nil, ""},
		{"a scope rule with onError: fail fails the sign-in",
			"version: 1\nscopes:\n  add:\n    - '\"a\"'\n    - { value: '" + bad + "', onError: fail }\nclaims:\n  a: '1'\n", "scopes.add[1].value", nil, ""},
		{"a scope with a space under onError: fail fails the sign-in",
			"version: 1\nscopes:\n  add:\n    - { value: 'event.userName + \" x\"', onError: fail }\nclaims:\n  a: '1'\n", "scopes.add[0].value", nil, ""},
		{"a scope rule with onError: omit is skipped under onClaimError: fail",
			"version: 1\nonClaimError: fail\nscopes:\n  add:\n    - '\"a\"'\n    - { value: '" + bad + "', onError: omit }\nclaims:\n  a: '1'\n", "",
			[]string{"claimsAndScopeOverrideDetails", "accessTokenGeneration", "scopesToAdd"}, `["a"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mp := load(t, tt.mapping, nil)
			out, err := mp.Handle(context.Background(), event(t, "v2"))
			if tt.failRule != "" {
				var ee *mapper.EventError
				if !errors.As(err, &ee) || ee.Rule != tt.failRule {
					t.Fatalf("got %v (%s), want the event failed by %s", err, out, tt.failRule)
				}
				if ee.Public != "could not prepare your sign-in, try again" {
					t.Errorf("shown %q", ee.Public)
				}
				return
			}
			if err != nil {
				t.Fatalf("handle: %v", err)
			}
			var got map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(dig(got["response"], tt.path...))
			if string(b) != tt.want {
				t.Errorf("%v = %s, want %s", tt.path, b, tt.want)
			}
		})
	}
}

// TestOnErrorInTrace: the trace (explain) says which policy applies to each
// rule and where it comes from; a suppression has none.
func TestOnErrorInTrace(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nonClaimError: fail\nclaims:\n  a: { value: '1', onError: omit }\n  b: '2'\nsuppress: [c]\ngroups:\n  override: '[\"x\"]'\nscopes:\n  add:\n    - { value: '\"s\"', onError: omit }\n", nil)
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	_, tr, err := mp.EvaluateTrace(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"claims.a": "omit own", "claims.b": "fail onClaimError", "suppress[0]": " onClaimError", "groups.override": "fail onClaimError", "scopes.add[0].value": "omit own"}
	for _, r := range tr.Rules {
		from := "onClaimError"
		if r.OwnPolicy {
			from = "own"
		}
		if got := string(r.OnError) + " " + from; got != want[r.Path] {
			t.Errorf("%s: policy %q, want %q", r.Path, got, want[r.Path])
		}
	}
}
