package inlinetest

import (
	"slices"
	"sort"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/preview"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Diff is one expectation that did not hold.
type Diff struct {
	// What is checked, e.g. idToken.firstName or groups.
	What string
	// Expected and Actual are written for a reader: JSON values, or words
	// such as "(not in the token)".
	Expected, Actual string
}

const absent = "(not in the token)"

// compare checks a result against a test's expectations.
func compare(version string, x Expect, r *mapper.Result, err error) []Diff {
	if x.Error != nil {
		if err == nil {
			return []Diff{{What: "error", Expected: "the event fails with " + preview.Show(*x.Error), Actual: "the event succeeded"}}
		}
		got := authoring.DescribeError(err)
		if !strings.Contains(strings.ToLower(got), strings.ToLower(*x.Error)) {
			return []Diff{{What: "error", Expected: "text containing " + preview.Show(*x.Error), Actual: preview.Show(got)}}
		}
		return nil
	}
	if err != nil {
		return []Diff{{What: "error", Expected: "the event succeeds", Actual: "it failed: " + authoring.DescribeError(err)}}
	}
	var out []Diff
	if x.IDToken != nil {
		out = append(out, claims("idToken", x.IDToken, r.IDClaims)...)
	}
	if x.AccessToken != nil {
		out = append(out, claims("accessToken", x.AccessToken, r.AccessClaims)...)
	}
	if x.IDTokenIncludes != nil {
		out = append(out, claims("idToken", x.IDTokenIncludes, only(r.IDClaims, x.IDTokenIncludes))...)
	}
	if x.AccessTokenIncludes != nil {
		out = append(out, claims("accessToken", x.AccessTokenIncludes, only(r.AccessClaims, x.AccessTokenIncludes))...)
	}
	out = append(out, set("suppressed", x.Suppressed, append(slices.Clone(r.IDSuppress), r.AccessSuppress...))...)
	out = append(out, set("scopesAdded", x.ScopesAdded, r.ScopesAdd)...)
	out = append(out, set("scopesSuppressed", x.ScopesSuppressed, r.ScopesSuppress)...)
	out = append(out, set("groups", x.Groups, r.Groups.Groups)...)
	return out
}

// claims compares one token's claims, exactly: a claim the test does not
// list must not be added. A value matches by preview.Same, as diff judges a
// change: under V1 every claim is text, so an expected 42 does not match
// the "42" the token holds, and the test says so.
func claims(token string, want, got map[string]any) []Diff {
	var out []Diff
	for _, name := range preview.Names(want, got) {
		w, inWant := want[name]
		g, inGot := got[name]
		if inWant && w == nil {
			// "claim: null" in a test says the claim must not be added.
			inWant = false
		}
		switch {
		case inWant && !inGot:
			out = append(out, Diff{token + "." + name, preview.Show(w), absent})
		case !inWant && inGot:
			out = append(out, Diff{token + "." + name, absent, preview.Show(g)})
		case inWant && !preview.Same(w, g):
			out = append(out, Diff{token + "." + name, preview.Show(w), preview.Show(g)})
		}
	}
	return out
}

// only keeps the claims of got that want names, so that a test written
// with idTokenIncludes: checks those and ignores the rest.
func only(got, want map[string]any) map[string]any {
	out := map[string]any{}
	for k := range want {
		if v, ok := got[k]; ok {
			out[k] = v
		}
	}
	return out
}

// set compares lists whose order Cognito does not keep.
func set(what string, want *[]string, got []string) []Diff {
	if want == nil {
		return nil
	}
	w, g := sortedUnique(*want), sortedUnique(got)
	if slices.Equal(w, g) {
		return nil
	}
	return []Diff{{what, preview.Show(w), preview.Show(g)}}
}

func sortedUnique(list []string) []string {
	out := slices.Clone(list)
	if out == nil {
		out = []string{}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
