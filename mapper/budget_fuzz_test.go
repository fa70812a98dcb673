package mapper_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// exprGen builds an expression from the fuzzer's bytes with a small grammar
// that favours what stresses the budget: growing text, nested and shared
// lists, loops in loops, huge ranges, computed patterns, toJSON and string.
type exprGen struct {
	in   []byte
	vars []string
}

func (g *exprGen) byte() byte {
	if len(g.in) == 0 {
		return 0
	}
	b := g.in[0]
	g.in = g.in[1:]
	return b
}

func (g *exprGen) pick(options ...string) string { return options[int(g.byte())%len(options)] }

func (g *exprGen) expr(depth int, inLoop bool) string {
	if depth <= 0 {
		return g.leaf(inLoop)
	}
	d := depth - 1
	switch g.byte() % 12 {
	case 0, 1:
		return g.leaf(inLoop)
	case 2:
		return "(" + g.expr(d, inLoop) + " " + g.pick("+", "+", "*", "..", "==", "in", "??", "-", "/", "%", "matches", "contains") + " " + g.expr(d, inLoop) + ")"
	case 3:
		fn := g.pick("repeat", "join", "replace", "split", "toJSON", "string", "flatten", "concat", "upper", "lower", "len", "uniq",
			"sort", "max", "min", "mean", "median", "fromJSON", "toBase64", "keys", "values", "reverse", "first", "last", "trim", "splitAfter", "toPairs")
		args := []string{g.expr(d, inLoop)}
		for n := int(g.byte() % 3); n > 0; n-- {
			args = append(args, g.expr(d, inLoop))
		}
		return fn + "(" + strings.Join(args, ", ") + ")"
	case 4:
		fn := g.pick("map", "filter", "all", "any", "count", "groupBy", "sortBy", "reduce", "find", "sum", "none", "one")
		args := g.expr(d, inLoop) + ", " + g.expr(d, true)
		if fn == "reduce" && g.byte()%2 == 0 {
			args += ", " + g.expr(d, inLoop)
		}
		return fn + "(" + args + ")"
	case 5:
		return "[" + g.expr(d, inLoop) + ", " + g.expr(d, inLoop) + "]"
	case 6:
		return "{\"a\": " + g.expr(d, inLoop) + ", \"b\": " + g.expr(d, inLoop) + "}"
	case 7:
		name := fmt.Sprintf("v%d", len(g.vars))
		value := g.expr(d, inLoop)
		g.vars = append(g.vars, name)
		return "(let " + name + " = " + value + "; " + g.expr(d, inLoop) + ")"
	case 8:
		return "(" + g.expr(d, inLoop) + " ? " + g.expr(d, inLoop) + " : " + g.expr(d, inLoop) + ")"
	case 9:
		return "[" + strings.Repeat(g.expr(d, inLoop)+", ", int(g.byte()%8)) + "1]"
	case 10:
		return g.expr(d, inLoop) + "[" + g.pick("0", "1:", ":2", "-1", "\"a\"") + "]"
	}
	return "(" + g.expr(d, inLoop) + ")"
}

func (g *exprGen) leaf(inLoop bool) string {
	leaves := []string{`"x"`, `"ab,c"`, `""`, `"(a*)*b"`, "0", "3", "1000000", "900000000", "-1", "2.5", "true", "nil",
		"event.userName", "event.groups", "event.userAttributes", "user.FirstName", "user.roles", "user.n", "user.nested", "user", "$env"}
	if inLoop {
		leaves = append(leaves, "#", "#", "#acc", "#index")
	}
	leaves = append(leaves, g.vars...)
	return leaves[int(g.byte())%len(leaves)]
}

// FuzzEvaluate runs random expressions under the budget over a fixed event
// and item: whatever they do, the event is answered (onClaimError: omit),
// nothing panics or dies, and the mapping's timeout bounds the time.
func FuzzEvaluate(f *testing.F) {
	for _, seed := range []string{
		"\x04\x07\x05\x00\x00\x02\x00\x00\x00\x01", // reduce over a list, text growing
		"\x03\x00\x03\x00\x00\x02\x00\x00\x00",
		"\x07\x02\x00\x00\x05\x00\x09\x02\x04\x05\x00\x00\x00",
		"\x02\x00\x03\x02\x00\x07",
		"\x04\x00\x02\x00\x05\x02\x00\x07\x04\x02\x00\x05\x02\x00\x07\x00",
		"\x09\x09\x09\x09\x07\x03\x04\x00",
	} {
		f.Add([]byte(seed))
	}
	store := tables(f, `
tables:
  Users:
    - userName: jdoe
      FirstName: Jane
      roles: [admin, dev, ops]
      n: 42
      nested: { a: [1, 2, { b: text }], c: true }
`)
	ev := readFile(f, "../testdata/events/v2.json")
	f.Fuzz(func(t *testing.T, in []byte) {
		g := &exprGen{in: in}
		code := g.expr(6, false)
		src := fmt.Sprintf("version: 1\ntimeout: 1s\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\nclaims:\n  ok: '\"fine\"'\n  fuzzed: '%s'\n",
			strings.ReplaceAll(code, "'", "''"))
		opts := mapper.LoadOptions{File: "fuzz.yaml", Env: config.Env{Lookup: func(string) (string, bool) { return "", false }},
			Store: store, Logger: slog.New(slog.DiscardHandler)}
		mp, fs := loaded(mapper.Load([]byte(src), opts))
		if err := config.Errors(fs); err != nil {
			// An expression that does not compile is lint's business, unless
			// it is the budget's rewriting that broke it.
			if _, ufs := loaded(mapper.Load([]byte(src), mapper.Unbounded(opts))); config.Errors(ufs) == nil && !budgetFinding(fs) {
				t.Fatalf("%s\ncompiles without the budget, not with it: %v", code, err)
			}
			return
		}
		start := time.Now()
		out, err := mp.Handle(context.Background(), ev)
		if err != nil {
			t.Fatalf("%s\nthe event failed under onClaimError omit: %v", code, err)
		}
		if !strings.Contains(string(out), `"ok":"fine"`) {
			t.Fatalf("%s\nthe other claim is missing:\n%.500s", code, out)
		}
		// The budget stops every expression at the 1s timeout; well past it
		// means something ran where the budget cannot see.
		if took := time.Since(start); took > 3*time.Second {
			t.Fatalf("%s\ntook %v under a 1s timeout", code, took)
		}
	})
}

// budgetFinding reports a finding of the budget's own lint rules, which a
// mapping compiled without the budget does not get.
func budgetFinding(fs []config.Finding) bool {
	for _, f := range fs {
		switch f.Rule {
		case "over-limit", "pattern-size", "reserved-name":
			return true
		}
	}
	return false
}
