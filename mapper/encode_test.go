package mapper

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"testing"
)

// TestAppendResponseMatchesMarshal holds the response writer to the bytes
// json.Marshal(r.Response()) writes, for every shape and value kind.
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
			want, err := json.Marshal(r.Response())
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
		if got := appendString(nil, s); string(got) != string(want) {
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
