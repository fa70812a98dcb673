package mapper_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// hostileExpression is one line of testdata/hostile/expressions.txt: an
// expression a lint-clean mapping may hold that, without the evaluation
// budget, exhausts memory or time, and the limit that must stop it.
type hostileExpression struct{ limit, name, expr string }

func hostileExpressions(t *testing.T) []hostileExpression {
	t.Helper()
	var out []hostileExpression
	for _, line := range strings.Split(string(readFile(t, "../testdata/hostile/expressions.txt")), "\n") {
		f := strings.Split(line, "\t")
		if len(f) == 3 && !strings.HasPrefix(line, "#") {
			out = append(out, hostileExpression{f[0], f[1], f[2]})
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d hostile expressions", len(out))
	}
	return out
}

// TestHostileExpressionsFailTheirClaimOnly: each hostile expression fails
// its claim on the limit named, and the rest of the token is issued.
func TestHostileExpressionsFailTheirClaimOnly(t *testing.T) {
	t.Parallel()
	for _, h := range hostileExpressions(t) {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			mp := loadBudget(t, fmt.Sprintf("version: 1\nclaims:\n  ok: '\"fine\"'\n  bad: '%s'\n", strings.ReplaceAll(h.expr, "'", "''")), nil)
			ev, err := mapper.DecodeEvent(event(t, "v2"))
			if err != nil {
				t.Fatal(err)
			}
			r, tr, err := mp.EvaluateTrace(context.Background(), ev)
			if err != nil {
				t.Fatalf("the event failed under onClaimError omit: %v", err)
			}
			if r.IDClaims["ok"] != "fine" || r.IDClaims["bad"] != nil {
				t.Errorf("claims %v, want only ok", r.IDClaims)
			}
			for _, rt := range tr.Rules {
				if rt.Path != "claims.bad" {
					continue
				}
				if limit, ok := mapper.IsLimit(rt.Err); !ok || limit != h.limit {
					t.Errorf("the claim failed with %v, want the limit %q", rt.Err, h.limit)
				}
			}
		})
	}
}

// TestAClaimOverTheBytesLeavesTheLaterClaims: a claim that runs out of
// bytes gives them back when it is dropped, so the claims after it, which
// need bytes too, still come out.
func TestAClaimOverTheBytesLeavesTheLaterClaims(t *testing.T) {
	t.Parallel()
	mp := loadBudget(t, "version: 1\nclaims:\n  grow: 'reduce(1..64, #acc + #acc, \"ab\")'\n  list: 'map(1..3, string(#))'\n  ok: '\"fine\"'\n", nil)
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := mp.Evaluate(context.Background(), ev)
	if err != nil {
		t.Fatalf("the event failed under onClaimError omit: %v", err)
	}
	if r.IDClaims["ok"] != "fine" || r.IDClaims["grow"] != nil || len(r.IDClaims["list"].([]any)) != 3 {
		t.Errorf("claims %v, want ok and list without grow", r.IDClaims)
	}
}

func TestBudgetFailsTheEventUnderOnClaimErrorFail(t *testing.T) {
	t.Parallel()
	mp := loadBudget(t, "version: 1\nonClaimError: fail\nclaims:\n  bad: 'reduce(1..64, #acc + #acc, \"ab\")'\n", nil)
	_, err := mp.Handle(context.Background(), event(t, "v2"))
	var ee *mapper.EventError
	if !errors.As(err, &ee) || ee.Public != "could not prepare your sign-in, try again" {
		t.Fatalf("got %v, want the public claim error", err)
	}
	if limit, ok := mapper.IsLimit(err); !ok || limit != "bytes" {
		t.Errorf("the cause is %v, want the bytes limit", ee.Err)
	}
}

// TestBudgetStopsLoopsWhenTheEventIsCancelled: once the event's time is up
// (or it is cancelled), loops stop at their next step, and the claims that
// need no loop still come out.
func TestBudgetStopsLoopsWhenTheEventIsCancelled(t *testing.T) {
	t.Parallel()
	// Little memory, many comparisons per loop step: only time stops it.
	mp := load(t, "version: 1\nclaims:\n  slow: 'let x = 0..20000; all(x, # in x)'\n  cheap: '\"hello \" + event.userName'\n", nil)
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, tr, err := mp.EvaluateTrace(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if limit, _ := mapper.IsLimit(tr.Rules[0].Err); limit != "time" {
		t.Errorf("got %v, want the time limit", tr.Rules[0].Err)
	}
	if r.IDClaims["cheap"] != "hello jdoe" {
		t.Errorf("claims %v, want the cheap one", r.IDClaims)
	}
}

func TestBudgetKeepsOrdinaryExpressionsWorking(t *testing.T) {
	t.Parallel()
	mp := load(t, `version: 1
claims:
  joined: 'join(map(["a", "b"], upper(#)), "-")'
  total: 'reduce(1..100, #acc + #, 0)'
  inRange: '5 in 1..10'
  inList: 'event.userName in ["jdoe", "x"]'
  json: 'toJSON({"a": [1, 2]})'
  text: 'string(42) + "!"'
  repeated: 'repeat("ab", 3)'
  replaced: 'replace("a-b", "-", "+")'
  split: 'split("a,b", ",")'
  flat: 'flatten([[1], [2, [3]]])'
  biggest: 'max([1, [5, 2]])'
  unique: 'uniq([1, 1, 2])'
  matched: 'event.userName matches ("^" + "j")'
  sorted: 'sortBy(["bb", "a"], len(#))'
  grouped: 'len(groupBy([1, 2, 3], # % 2))'
`, nil)
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := mp.Evaluate(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"biggest":5,"flat":[1,2,3],"grouped":2,"inList":true,"inRange":true,"joined":"A-B","json":"{\"a\":[1,2]}","matched":true,"repeated":"ababab","replaced":"a+b","sorted":["a","bb"],"split":["a","b"],"text":"42!","total":5050,"unique":[1,2]}`
	if got := jsonText(r.IDClaims); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestBudgetBoundsTheValuesOfAnEventTogether: each value returned counts
// toward the event's bytes, so many claims of a megabyte cannot make a
// response of hundreds.
func TestBudgetBoundsTheValuesOfAnEventTogether(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("version: 1\nclaims:\n")
	for i := range 20 {
		fmt.Fprintf(&b, "  c%02d: 'repeat(\"x\", 300000)'\n", i)
	}
	mp := loadBudget(t, b.String(), nil)
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	r, tr, err := mp.EvaluateTrace(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(r.IDClaims); n == 0 || n > 7 {
		t.Errorf("%d claims of 300 KB came out of a 4 MiB budget", n)
	}
	if limit, _ := mapper.IsLimit(tr.Rules[len(tr.Rules)-1].Err); limit != "bytes" {
		t.Errorf("the last claim failed with %v, want the bytes limit", tr.Rules[len(tr.Rules)-1].Err)
	}
}

// TestClaimsInBothTokensFitTheResponse: a V2 or V3 event carries a claim
// once in each token, so values within the event's bytes, counted once,
// made a response past Lambda's 6 MB and failed every sign-in of a
// lint-clean mapping whose claims all say omit. Each copy is counted: the
// claim that does not fit fails alone.
func TestClaimsInBothTokensFitTheResponse(t *testing.T) {
	t.Parallel()
	src := "version: 1\nclaims:\n"
	for _, name := range []string{"a", "b", "c", "d"} {
		src += "  " + name + `: 'repeat("\x01", 160000)'` + "\n"
	}
	src += `  e: 'repeat("\x01", 60000)'` + "\n" + `  f: 'repeat("\x01", 30000)'` + "\n"
	src += "  ok: event.userName\n"
	mp := loadBudget(t, src, nil)
	out, err := mp.Handle(context.Background(), event(t, "v2"))
	if err != nil {
		t.Fatalf("the event failed: %v", err)
	}
	if len(out) > 6<<20 || !strings.Contains(string(out), `"ok":"jdoe"`) {
		t.Errorf("response of %d bytes, want under 6 MB with the claim ok", len(out))
	}
}

// TestAScopeRuleOverCognitosQuotaFailsAlone: a scope rule that gives more
// scopes than Cognito's 5,000 changes per event made every sign-in fail,
// though the rule said onError: omit. It is that rule's failure: under omit
// it is skipped and the rest is issued; under fail the sign-in fails.
func TestAScopeRuleOverCognitosQuotaFailsAlone(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{"omit", "fail"} {
		src := "version: 1\nclaims:\n  ok: event.userName\nscopes:\n  add:\n" +
			"    - '\"kept\"'\n" +
			"    - { value: 'map(0..5999, \"s\" + string(#))', onError: " + policy + " }\n" +
			"  suppress:\n    - { value: 'map(0..4997, \"d\" + string(#))', onError: " + policy + " }\n"
		mp := load(t, src, nil)
		ev, err := mapper.DecodeEvent(event(t, "v2"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := mp.Evaluate(context.Background(), ev)
		if policy == "fail" {
			if err == nil {
				t.Errorf("fail: the sign-in was issued")
			}
			continue
		}
		if err != nil {
			t.Fatalf("omit: the event failed: %v", err)
		}
		if r.IDClaims["ok"] != "jdoe" || len(r.ScopesAdd) != 1 || len(r.ScopesSuppress) != 0 {
			t.Errorf("omit: claims %v, %d scopes added, %d suppressed; want ok, kept, and neither big rule", r.IDClaims, len(r.ScopesAdd), len(r.ScopesSuppress))
		}
	}
}
