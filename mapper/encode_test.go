package mapper

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/jsontext"
)

// TestAppendResponseMatchesMarshal holds the response writer to the bytes
// json.Marshal(response(r)) writes, for every shape and value kind.
func TestAppendResponseMatchesMarshal(t *testing.T) {
	role := "arn:aws:iam::123456789012:role/Editor"
	claims := map[string]any{
		"plain": "Jane", "quote": `say "hi"`, "html": "<b>&</b>", "ctrl": "a\tb\nc\x01", "utf8": "Zoë 東京 \u2028",
		"bad-utf8": "a\xffb", "t": true, "f": false, "int": 37, "int64": int64(-9007199254740993),
		"float": 12.5, "tiny": 1e-7, "huge": 1e21, "negexp": -2.5e-10, "zero": 0.0, "null": nil,
		"list": []any{"a", 1, 2.5, nil, []any{}, map[string]any{"z": 1, "a": "x"}}, "strings": []string{"x", "y"},
		"nilList": []any(nil), "nilStrings": []string(nil), "obj": map[string]any{"b": []string{}, "a": map[string]any{}},
		"nilObj": map[string]any(nil), "other": struct{ X int }{3}, "custom:tier": "gold", "émoji😀": "ok",
	}
	names := []string{"plain", "t"} // covers only some keys: the sorting fallback
	results := map[string]*Result{
		"v1":                 {Version: "1", IDClaims: claims, IDSuppress: []string{"email"}, Groups: GroupConfig{Groups: []string{"a"}, PreferredRole: &role}},
		"v1 empty":           {Version: "1"},
		"v2":                 {Version: "2", IDClaims: claims, AccessClaims: claims, IDSuppress: []string{"email", "phone_number"}, ScopesAdd: []string{"orders/pro"}, ScopesSuppress: []string{"aws.cognito.signin.user.admin"}},
		"v2 empty":           {Version: "2"},
		"v3 client creds":    {Version: "3", NoIDToken: true, AccessClaims: map[string]any{"a": 1}, ScopesAdd: []string{"x"}},
		"v2 groups no roles": {Version: "2", Groups: GroupConfig{Groups: []string{}, IAMRoles: nil}},
	}
	for name, r := range results {
		for _, order := range [][]string{nil, names, sortedKeys(claims)} {
			want, err := json.Marshal(response(r))
			if err != nil {
				t.Fatal(err)
			}
			got, err := appendResponse([]byte("prefix:"), r, order)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if string(got) != "prefix:"+string(want) {
				t.Errorf("%s, order %v:\n got %s\nwant %s", name, order, got[len("prefix:"):], want)
			}
		}
	}
}

func TestAppendResponseRefusesNaN(t *testing.T) {
	for _, v := range []any{math.NaN(), math.Inf(1), []any{math.Inf(-1)}} {
		r := &Result{Version: "2", AccessClaims: map[string]any{"x": v}}
		if _, err := appendResponse(nil, r, nil); err == nil {
			t.Errorf("%v: no error", v)
		}
	}
}

// FuzzAppendString checks text and number encoding against encoding/json.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "<&>", "\x00\x1f\x7f", "\u2028\u2029", "\xff", "日本"} {
		f.Add(s, 1.5)
	}
	f.Add("x", 1e-7)
	f.Add("x", 123456789e20)
	f.Fuzz(func(t *testing.T, s string, x float64) {
		want, _ := json.Marshal(s)
		if got := jsontext.AppendString(nil, s); string(got) != string(want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
		want, err := json.Marshal(x)
		got, gotErr := appendFloat(nil, x)
		if (err != nil) != (gotErr != nil) || string(got) != string(want) {
			t.Errorf("%v: got %s (%v), want %s (%v)", x, got, gotErr, want, err)
		}
	})
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// The response shapes Cognito expects, as structs json.Marshal writes: the
// reference appendResponse is held to. Empty lists and objects are written
// as [] and {}, never null: a null groupOverrideDetails would remove the
// user's groups.
type (
	v1Response struct {
		ClaimsOverrideDetails v1Details `json:"claimsOverrideDetails"`
	}
	v1Details struct {
		ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
		ClaimsToSuppress      []string       `json:"claimsToSuppress"`
		GroupOverrideDetails  groupDetails   `json:"groupOverrideDetails"`
	}
	v2Response struct {
		ClaimsAndScopeOverrideDetails v2Details `json:"claimsAndScopeOverrideDetails"`
	}
	v2Details struct {
		IDTokenGeneration     *idTokenGeneration    `json:"idTokenGeneration,omitempty"`
		AccessTokenGeneration accessTokenGeneration `json:"accessTokenGeneration"`
		GroupOverrideDetails  groupDetails          `json:"groupOverrideDetails"`
	}
	idTokenGeneration struct {
		ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
		ClaimsToSuppress      []string       `json:"claimsToSuppress"`
	}
	accessTokenGeneration struct {
		ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
		ClaimsToSuppress      []string       `json:"claimsToSuppress"`
		ScopesToAdd           []string       `json:"scopesToAdd"`
		ScopesToSuppress      []string       `json:"scopesToSuppress"`
	}
	groupDetails struct {
		GroupsToOverride   []string `json:"groupsToOverride"`
		IAMRolesToOverride []string `json:"iamRolesToOverride"`
		PreferredRole      *string  `json:"preferredRole"`
	}
)

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// response returns the "response" object for the result's event version.
func response(r *Result) any {
	groups := groupDetails{orEmpty(r.Groups.Groups), orEmpty(r.Groups.IAMRoles), r.Groups.PreferredRole}
	if r.Version == "1" {
		return v1Response{v1Details{orEmptyMap(r.IDClaims), orEmpty(r.IDSuppress), groups}}
	}
	d := v2Details{
		AccessTokenGeneration: accessTokenGeneration{orEmptyMap(r.AccessClaims), orEmpty(r.AccessSuppress),
			orEmpty(r.ScopesAdd), orEmpty(r.ScopesSuppress)},
		GroupOverrideDetails: groups,
	}
	if !r.NoIDToken {
		// A client-credentials event has no ID token to change.
		d.IDTokenGeneration = &idTokenGeneration{orEmptyMap(r.IDClaims), orEmpty(r.IDSuppress)}
	}
	return v2Response{d}
}
