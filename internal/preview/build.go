package preview

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// Change says what the mapping did to a claim.
type Change int

// Changes a mapping can make to a claim.
const (
	Unchanged Change = iota
	Added
	Overridden
	Suppressed
)

func (c Change) String() string {
	return [...]string{"unchanged", "added", "overridden", "suppressed"}[c]
}

// Claim is one claim of a previewed token.
type Claim struct {
	Name string
	// Value is the claim's value in the token; for a suppressed claim, the
	// value it would have had.
	Value any
	// Was is the value Cognito would have set, for an overridden claim.
	Was         any
	Change      Change
	Placeholder bool
}

// Token is one previewed token payload.
type Token struct {
	// Name is "ID token" or "access token".
	Name string
	// Claims are sorted by name, suppressed ones included.
	Claims []Claim
	// Size estimates the signed token's length in bytes, as it travels in an
	// HTTP header.
	Size int
}

// Preview is the tokens of one sign-in. ID is nil for a client-credentials event.
type Preview struct {
	ID, Access *Token
}

// MaxHeaderSize is a common limit on one HTTP header; a larger token is
// refused by many servers and proxies.
const MaxHeaderSize = 8 * 1024

// MaxCookieSize is what browsers keep in one cookie, name and value
// together (RFC 6265 asks for at least 4096 bytes, and browsers stop
// there): a larger token does not fit in a session cookie whole.
const MaxCookieSize = 4096

// Build applies a mapping's result to the claims Cognito derives from the event.
func Build(ev *mapper.Event, r *mapper.Result) *Preview {
	p := &Preview{}
	groups := func(c map[string]any, g []string) {
		delete(c, "cognito:groups")
		if len(g) > 0 {
			c["cognito:groups"] = toAny(g)
		}
	}
	access := baseAccess(ev)
	accessFinal := clone(access)
	if !ev.ClientCredentials() {
		groups(access, ev.Groups)
		groups(accessFinal, r.Groups.Groups)
		id := baseID(ev)
		groupClaims(id, ev.Groups, ev.IAMRoles, ev.PreferredRole)
		idFinal := clone(id)
		var pref any
		if r.Groups.PreferredRole != nil {
			pref = *r.Groups.PreferredRole
		}
		groupClaims(idFinal, r.Groups.Groups, r.Groups.IAMRoles, pref)
		p.ID = token("ID token", id, idFinal, r.IDClaims, r.IDSuppress)
	}
	if r.Version != "1" {
		scopes := slices.DeleteFunc(strings.Fields(scope(ev.Scopes)), func(s string) bool {
			return slices.Contains(r.ScopesSuppress, s)
		})
		for _, s := range r.ScopesAdd {
			if !slices.Contains(scopes, s) && !slices.Contains(r.ScopesSuppress, s) {
				scopes = append(scopes, s)
			}
		}
		accessFinal["scope"] = strings.Join(scopes, " ")
	}
	p.Access = token("access token", access, accessFinal, r.AccessClaims, r.AccessSuppress)
	return p
}

// groupClaims sets the ID token's group claims as Cognito does: each only
// when it has a value.
func groupClaims(c map[string]any, groups, roles []string, preferred any) {
	for _, k := range []string{"cognito:groups", "cognito:roles", "cognito:preferred_role"} {
		delete(c, k)
	}
	if len(groups) > 0 {
		c["cognito:groups"] = toAny(groups)
	}
	if len(roles) > 0 {
		c["cognito:roles"] = toAny(roles)
	}
	if s, ok := preferred.(string); ok && s != "" {
		c["cognito:preferred_role"] = s
	}
}

// token compares what Cognito would issue with what the trigger changes.
// base has the request's groups and scopes, final the response's.
func token(name string, base, final, add map[string]any, suppress []string) *Token {
	for k, v := range add {
		final[k] = v
	}
	gone := map[string]bool{}
	for _, k := range suppress {
		gone[k] = true
	}
	if gone["cognito:groups"] {
		// Suppressing the groups drops the roles with them.
		gone["cognito:roles"], gone["cognito:preferred_role"] = true, true
	}
	names := map[string]bool{}
	for k := range base {
		names[k] = true
	}
	for k := range final {
		names[k] = true
	}
	t := &Token{Name: name}
	payload := map[string]any{}
	for _, n := range slices.Sorted(maps.Keys(names)) {
		b, inBase := base[n]
		f, inFinal := final[n]
		c := Claim{Name: n, Value: f, Placeholder: placeholders[n] && inBase && reflect.DeepEqual(b, f)}
		switch {
		case gone[n] && (inBase || inFinal):
			c.Change = Suppressed
			if !inFinal {
				c.Value = b
			}
		case !inFinal:
			// A group claim the response removed.
			c.Change, c.Value = Suppressed, b
		case !inBase:
			c.Change = Added
		case !reflect.DeepEqual(b, f):
			c.Change, c.Was = Overridden, b
		}
		if c.Change != Suppressed {
			payload[n] = c.Value
		}
		t.Claims = append(t.Claims, c)
	}
	t.Size = encodedSize(payload)
	return t
}

// encodedSize estimates a signed JWT's length: an RS256 header with a key
// id, the base64url payload and a 256-byte signature.
func encodedSize(payload map[string]any) int {
	const header = `{"kid":"abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=","alg":"RS256"}`
	b, _ := json.Marshal(payload)
	enc := base64.RawURLEncoding
	return enc.EncodedLen(len(header)) + 1 + enc.EncodedLen(len(b)) + 1 + enc.EncodedLen(256)
}

// Payloads returns the token payloads as JSON objects: {"idToken": …, "accessToken": …}.
func (p *Preview) Payloads() map[string]any {
	out := map[string]any{}
	if p.ID != nil {
		out["idToken"] = p.ID.Payload()
	}
	out["accessToken"] = p.Access.Payload()
	return out
}

// Payload is the token's claims as Cognito would issue them.
func (t *Token) Payload() map[string]any {
	out := map[string]any{}
	for _, c := range t.Claims {
		if c.Change != Suppressed {
			out[c.Name] = c.Value
		}
	}
	return out
}

// Tokens lists the previewed tokens, the ID token first.
func (p *Preview) Tokens() []*Token {
	if p.ID == nil {
		return []*Token{p.Access}
	}
	return []*Token{p.ID, p.Access}
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func toAny(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}
