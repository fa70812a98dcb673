package mapper_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// HostileExpressions are expressions a lint-clean mapping may hold that, without
// the evaluation budget, exhaust memory or time. Each must fail its claim with
// the limit named, nothing else. cmd/claimsmapper runs the same table through
// the binary under a memory limit (hostile_test.go).
var hostileExpressions = []struct {
	name, expr, limit string
}{
	{"a reduce that doubles its text", `reduce(1..64, #acc + #acc, "ab")`, "bytes"},
	{"a reduce that appends to a long text", `reduce(1..20000, #acc + repeat("x", 300), "")`, "bytes"},
	{"repeat of a long text", `repeat(repeat("x", 1000), 100000)`, "bytes"},
	{"repeat with a computed count", `repeat("abc", len(event.userName) * 10000000)`, "bytes"},
	{"a huge range", `len(0..(len(event.userName) * 900000000))`, "bytes"},
	{"nested loops over a range", `count(0..999, count(0..999, count(0..999, true) > 0) > 0)`, "steps"},
	{"a loop over a list held in a variable", `let x = 0..9999; all(x, all(x, # >= 0))`, "steps"},
	{"lists nested by sharing, written as JSON", `let a = [1,2,3,4,5,6,7,8,9,10]; let b = [a,a,a,a,a,a,a,a,a,a]; let c = [b,b,b,b,b,b,b,b,b,b]; let d = [c,c,c,c,c,c,c,c,c,c]; let f = [d,d,d,d,d,d,d,d,d,d]; let g = [f,f,f,f,f,f,f,f,f,f]; toJSON([g,g,g,g,g,g,g,g,g,g])`, "bytes"},
	{"lists nested by sharing, made text", `let a = 0..99; let b = map(0..99, a); let c = map(0..99, b); string(map(0..99, c))`, "bytes"},
	{"lists nested by sharing, flattened", `let a = 0..99; let b = map(0..99, a); let c = map(0..99, b); len(flatten(map(0..99, c)))`, "bytes"},
	{"lists nested by sharing, returned", `let a = 0..99; let b = map(0..99, a); let c = map(0..99, b); map(0..99, c)`, "value"},
	{"lists nested by sharing, summed up", `let a = 0..99; let b = map(0..99, a); let c = map(0..99, b); max(map(0..99, c))`, "bytes"},
	{"a deep list built by reduce", `toJSON(reduce(1..5000, [#acc], []))`, "depth"},
	{"a pattern built by repeat", `event.userName matches repeat("(a*)*", 5000)`, "pattern"},
	{"a pattern with nested repetitions", `event.userName matches repeat("a{1000}", 20)`, "pattern"},
	{"patterns compiled in a loop", `any(0..99999, event.userName matches ("^" + string(#) + "x{500}"))`, "bytes"},
	{"replace that multiplies a text", `replace(repeat("a", 100000), "a", repeat("b", 1000))`, "bytes"},
	{"join of a long text many times", `join(map(0..50000, repeat("x", 1000)), ",")`, "bytes"},
	{"split into single characters many times", `len(map(0..1000, split(repeat("ab", 100000), "")))`, "bytes"},
	{"uniq of a long list", `len(uniq(0..99999))`, "steps"},
	{"toJSON of a growing value", `reduce(1..30, toJSON([#acc, #acc]), "x")`, "bytes"},
	{"fromJSON of a large text", `len(fromJSON("[" + repeat("[],", 400000) + "[]]"))`, "bytes"},
	{"concat doubling a list", `len(reduce(1..40, concat(#acc, #acc), [1]))`, "bytes"},
	{"objects built in a loop", `len(map(0..99999, [{"a": #, "b": #, "c": #}]))`, "bytes"},
	{"sortBy over a large range", `sortBy(0..(len(event.userName) * 100000), -#)[0]`, "steps"},
}

func TestHostileExpressionsFailTheirClaimOnly(t *testing.T) {
	t.Parallel()
	for _, h := range hostileExpressions {
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			mp := load(t, fmt.Sprintf("version: 1\ntimeout: 4s\nclaims:\n  ok: '\"fine\"'\n  bad: '%s'\n", strings.ReplaceAll(h.expr, "'", "''")), nil)
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

func TestBudgetFailsTheEventUnderOnClaimErrorFail(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nonClaimError: fail\nclaims:\n  bad: 'reduce(1..64, #acc + #acc, \"ab\")'\n", nil)
	_, err := mp.Handle(context.Background(), event(t, "v2"))
	var ee *mapper.EventError
	if !errors.As(err, &ee) || ee.Public != "could not prepare your sign-in, try again" {
		t.Fatalf("got %v, want the public claim error", err)
	}
	if limit, ok := mapper.IsLimit(err); !ok || limit != "bytes" {
		t.Errorf("the cause is %v, want the bytes limit", ee.Err)
	}
}

func TestBudgetStopsWhenTheEventIsCancelled(t *testing.T) {
	t.Parallel()
	// Little memory, many steps' worth of work per step: only time stops it.
	mp := load(t, "version: 1\nclaims:\n  slow: 'let x = 0..20000; all(x, # in x)'\n", nil)
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, tr, err := mp.EvaluateTrace(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	if limit, _ := mapper.IsLimit(tr.Rules[0].Err); limit != "time" {
		t.Errorf("got %v, want the time limit", tr.Rules[0].Err)
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
	want := `{"biggest":5,"flat":[1,2,3],"grouped":2,"inList":true,"inRange":true,"joined":"A-B","json":"{\n  \"a\": [\n    1,\n    2\n  ]\n}","matched":true,"repeated":"ababab","replaced":"a+b","sorted":["a","bb"],"split":["a","b"],"text":"42!","total":5050,"unique":[1,2]}`
	if got := jsonText(r.IDClaims); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
