package preview

import (
	"os"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

func event(t *testing.T, name string) *mapper.Event {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := mapper.DecodeEvent(raw)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func claim(tok *Token, name string) (Claim, bool) {
	for _, c := range tok.Claims {
		if c.Name == name {
			return c, true
		}
	}
	return Claim{}, false
}

func TestBuild(t *testing.T) {
	t.Parallel()
	pref := "arn:aws:iam::1:role/admin"
	tests := []struct {
		name   string
		event  string
		result mapper.Result
		// want maps token ("id"/"access") and claim to the expected change and value.
		want map[string]map[string]Claim
		// absent lists claims that must not appear, per token.
		absent map[string][]string
		noID   bool
	}{
		{
			name:   "a V1 event adds text claims to the ID token only",
			event:  "v1.json",
			result: mapper.Result{Version: "1", IDClaims: map[string]any{"firstName": "Ben", "name": "Ben Pyle"}},
			want: map[string]map[string]Claim{
				"id": {
					"firstName":        {Change: Added, Value: "Ben"},
					"name":             {Change: Overridden, Value: "Ben Pyle", Was: "cognito:default_val"},
					"cognito:username": {Change: Unchanged, Value: "benbpyle"},
					"email_verified":   {Change: Unchanged, Value: true},
					"exp":              {Change: Unchanged, Value: placeholderTime + 3600, Placeholder: true},
				},
				"access": {"scope": {Change: Unchanged, Value: defaultScope}},
			},
			absent: map[string][]string{"id": {"cognito:user_status", "cognito:groups"}, "access": {"firstName"}},
		},
		{
			name:  "a suppressed claim stays suppressed even when the mapping adds it",
			event: "v2-hostedauth.json",
			result: mapper.Result{Version: "2", IDClaims: map[string]any{"email": "x@example.com"}, IDSuppress: []string{"email"},
				Groups: mapper.GroupConfig{Groups: []string{"readers", "editors"}}},
			want: map[string]map[string]Claim{
				"id": {
					"email":          {Change: Suppressed, Value: "x@example.com"},
					"cognito:groups": {Change: Unchanged, Value: []any{"readers", "editors"}},
				},
			},
		},
		{
			name:  "group overrides change both tokens and scopes change the access token",
			event: "v2-hostedauth.json",
			result: mapper.Result{Version: "2", AccessClaims: map[string]any{"tenant": "acme"},
				ScopesAdd: []string{"tenant:acme"}, ScopesSuppress: []string{"aws.cognito.signin.user.admin"},
				Groups: mapper.GroupConfig{Groups: []string{"admins"}, IAMRoles: []string{pref}, PreferredRole: &pref}},
			want: map[string]map[string]Claim{
				"id": {
					"cognito:groups":         {Change: Overridden, Value: []any{"admins"}, Was: []any{"readers", "editors"}},
					"cognito:preferred_role": {Change: Added, Value: pref},
				},
				"access": {
					"tenant":         {Change: Added, Value: "acme"},
					"scope":          {Change: Overridden, Value: "openid profile email tenant:acme", Was: "openid profile email aws.cognito.signin.user.admin"},
					"cognito:groups": {Change: Overridden, Value: []any{"admins"}, Was: []any{"readers", "editors"}},
				},
			},
		},
		{
			name:   "an empty group override removes the groups",
			event:  "v2-hostedauth.json",
			result: mapper.Result{Version: "2", Groups: mapper.GroupConfig{Groups: []string{}}},
			want: map[string]map[string]Claim{
				"id": {"cognito:groups": {Change: Suppressed, Value: []any{"readers", "editors"}}},
			},
		},
		{
			name:   "a client-credentials event has only an access token, whose subject is the client",
			event:  "v3-clientcredentials.json",
			result: mapper.Result{Version: "3", NoIDToken: true, AccessClaims: map[string]any{"tenant": "acme"}},
			noID:   true,
			want: map[string]map[string]Claim{
				"access": {
					"sub":    {Change: Unchanged, Value: "m2m-client-42"},
					"tenant": {Change: Added, Value: "acme"},
					"scope":  {Change: Unchanged, Value: "orders/read"},
				},
			},
			absent: map[string][]string{"access": {"username"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := Build(event(t, tt.event), &tt.result)
			if (p.ID == nil) != tt.noID {
				t.Fatalf("ID token present: %v, want %v", p.ID != nil, !tt.noID)
			}
			toks := map[string]*Token{"id": p.ID, "access": p.Access}
			for tok, claims := range tt.want {
				for name, want := range claims {
					got, ok := claim(toks[tok], name)
					want.Name = name
					if !ok {
						t.Errorf("%s token has no %s", tok, name)
						continue
					}
					if Show(got.Value) != Show(want.Value) || Show(got.Was) != Show(want.Was) || got.Change != want.Change || got.Placeholder != want.Placeholder {
						t.Errorf("%s token %s = %+v, want %+v", tok, name, got, want)
					}
				}
			}
			for tok, names := range tt.absent {
				for _, n := range names {
					if _, ok := claim(toks[tok], n); ok {
						t.Errorf("%s token should not have %s", tok, n)
					}
				}
			}
		})
	}
}

func TestPayloadsLeaveSuppressedClaimsOut(t *testing.T) {
	t.Parallel()
	p := Build(event(t, "v2-hostedauth.json"), &mapper.Result{Version: "2", IDSuppress: []string{"email"}})
	id := p.Payloads()["idToken"].(map[string]any)
	if _, ok := id["email"]; ok {
		t.Error("the ID token payload still has email")
	}
	if id["custom:department"] != "finance" {
		t.Errorf("custom:department = %v, want finance", id["custom:department"])
	}
}

func TestLargeTokensAreWarnedAbout(t *testing.T) {
	t.Parallel()
	big := make([]any, 600)
	for i := range big {
		big[i] = "tenant-with-a-long-name"
	}
	p := Build(event(t, "v2-hostedauth.json"), &mapper.Result{Version: "2", IDClaims: map[string]any{"tenants": big}})
	if p.ID.Size <= MaxHeaderSize {
		t.Fatalf("size %d should exceed %d", p.ID.Size, MaxHeaderSize)
	}
	var b strings.Builder
	WriteText(&b, p, false)
	if !strings.Contains(b.String(), "warning: the ID token would be about") {
		t.Errorf("no size warning in:\n%s", b.String())
	}
}

func TestWriteJSONWarnsAboutLargeTokensApart(t *testing.T) {
	t.Parallel()
	small := Build(event(t, "v2-hostedauth.json"), &mapper.Result{Version: "2", IDClaims: map[string]any{"team": "<blue>"}})
	var out, warn strings.Builder
	if err := WriteJSON(&out, &warn, small); err != nil || warn.Len() != 0 || !strings.Contains(out.String(), `"team": "<blue>"`) {
		t.Errorf("err %v, warnings %q, out:\n%s", err, warn.String(), out.String())
	}
	big := make([]any, 600)
	for i := range big {
		big[i] = "tenant-with-a-long-name"
	}
	out.Reset()
	large := Build(event(t, "v2-hostedauth.json"), &mapper.Result{Version: "2", IDClaims: map[string]any{"tenants": big}})
	if err := WriteJSON(&out, &warn, large); err != nil || !strings.HasPrefix(warn.String(), "warning: the ID token would be about ") || strings.Contains(out.String(), "warning") {
		t.Errorf("err %v, warnings %q", err, warn.String())
	}
}
