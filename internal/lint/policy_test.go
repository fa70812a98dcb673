package lint

import (
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

// Lint says which rules fail closed and which fail open, so that a reviewer
// sees at once whether an authorization claim can be silently left out.
func TestPoliciesNamesTheRulesThatDiffer(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, src, want string }{
		{"every rule follows the default", "version: 1\nclaims:\n  a: event.userName\n  b: event.userName\n",
			"on error: every rule is left out and the sign-in goes on (onClaimError: omit)"},
		{"a fail default", "version: 1\nonClaimError: fail\nclaims:\n  a: event.userName\n",
			"on error: every rule fails the sign-in (onClaimError: fail)"},
		{"authorization fails closed, the rest fails open",
			"version: 1\ntriggerVersion: V2_0\nclaims:\n  roles:\n    value: event.groups\n    onError: fail\n  nick: event.userName\ngroups:\n  override: event.groups\n  onError: fail\nscopes:\n  add:\n    - value: '\"a\"'\n      onError: fail\n    - '\"b\"'\n",
			"on error: claims.roles, groups, scopes.add[0] fail the sign-in (onError: fail); every other rule is left out and the sign-in goes on (onClaimError: omit)"},
		{"one nickname fails open under a fail default",
			"version: 1\nonClaimError: fail\nclaims:\n  tenant: event.userName\n  nick:\n    value: event.userName\n    onError: omit\n",
			"on error: claims.nick is left out and the sign-in goes on (onError: omit); every other rule fails the sign-in (onClaimError: fail)"},
		{"every rule says otherwise", "version: 1\nclaims:\n  a:\n    value: event.userName\n    onError: fail\n",
			"on error: every rule fails the sign-in (each says onError: fail)"},
		{"nothing to say", "version: 1\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, fs := config.Parse("m.yaml", []byte(tt.src), config.Options{})
			if err := config.Errors(fs); err != nil {
				t.Fatal(err)
			}
			if got := Policies(m); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
