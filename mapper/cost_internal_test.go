package mapper

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/parser/operator"
)

// TestEveryOperationHasACost is the cost model's completeness test: every
// builtin in expr's table, every operator its parser accepts and every kind
// of node it builds has an entry in cost.go. A new expr release that adds
// one fails here, instead of letting it run free in every sign-in.
func TestEveryOperationHasACost(t *testing.T) {
	t.Parallel()
	for _, f := range builtin.Builtins {
		c, ok := builtinCosts[f.Name]
		switch {
		case !ok:
			t.Errorf("expr's builtin %s() has no entry in builtinCosts: say what it costs (fixed, a loop, or a charge from its arguments)", f.Name)
		case !c.fixed && !c.loop && c.charge == nil:
			t.Errorf("builtinCosts[%q] says nothing: an entry is fixed, a loop or a charge", f.Name)
		}
	}
	for name := range builtinCosts {
		if _, ok := builtin.Index[name]; !ok {
			t.Errorf("builtinCosts has %q, which is not one of expr's builtins", name)
		}
	}
	for op := range operator.Binary {
		if _, ok := operatorCosts[op]; !ok {
			t.Errorf("expr's operator %q has no entry in operatorCosts", op)
		}
	}
	for op := range operator.Unary {
		if _, ok := unaryCosts[op]; !ok {
			t.Errorf("expr's unary operator %q has no entry in unaryCosts", op)
		}
	}
	for _, name := range exprNodeKinds(t) {
		if !nodeCosts[name] {
			t.Errorf("expr's ast.%s has no entry in nodeCosts: say what evaluating it costs", name)
		}
	}
}

// exprNodeKinds lists the node types expr's ast package declares, read from
// its source in the module cache.
func exprNodeKinds(t *testing.T) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/expr-lang/expr/ast").Output()
	if err != nil {
		t.Fatalf("finding expr's ast package: %v", err)
	}
	dir := strings.TrimSpace(string(out))
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.TYPE {
				continue
			}
			for _, s := range g.Specs {
				ts := s.(*ast.TypeSpec)
				if _, isStruct := ts.Type.(*ast.StructType); isStruct && strings.HasSuffix(ts.Name.Name, "Node") && ts.Name.IsExported() {
					kinds = append(kinds, ts.Name.Name)
				}
			}
		}
	}
	if len(kinds) < 20 {
		t.Fatalf("found only %d node kinds in %s: %v", len(kinds), dir, kinds)
	}
	return kinds
}

// TestAnOperationWithoutACostDoesNotCompile: taking an entry away makes the
// expressions that use it a lint error with the rule no-cost.
func TestAnOperationWithoutACostDoesNotCompile(t *testing.T) {
	saved := builtinCosts["upper"]
	delete(builtinCosts, "upper")
	defer func() { builtinCosts["upper"] = saved }()
	_, fs := loaded(Load([]byte("version: 1\nclaims:\n  a: upper(event.userName)\n  b: event.userName\n"), LoadOptions{File: "m.yaml"}))
	var rules []string
	for _, f := range fs {
		rules = append(rules, f.Rule+": "+f.Message)
	}
	if len(fs) != 1 || fs[0].Rule != "no-cost" || fs[0].Path != "claims.a" {
		t.Fatalf("findings %q, want one no-cost on claims.a", rules)
	}
}

// TestOneParseOneCheck: an expression is parsed by expr once and
// type-checked once; the analysis, the constant check and the budget's
// rewrite walk that tree (compileExpr). A second call of either in the
// package means a second parse or check at every load.
func TestOneParseOneCheck(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok {
					calls[pkg.Name+"."+sel.Sel.Name]++
				}
			}
			return true
		})
	}
	for _, fn := range []string{"parser.Parse", "parser.ParseWithConfig", "checker.Check", "expr.Compile", "optimizer.Optimize"} {
		want := 0
		if fn == "parser.ParseWithConfig" || fn == "checker.Check" || fn == "optimizer.Optimize" {
			want = 1
		}
		if calls[fn] != want {
			t.Errorf("%s is called %d times in package mapper, want %d", fn, calls[fn], want)
		}
	}
}

// TestALongQuotedTextIsNotFree: a comparison with a quoted text reads at
// most the quote, which is free when the quote is short; a quote of tens of
// kilobytes, compared in a loop, is read at every step and is charged like
// any other text.
func TestALongQuotedTextIsNotFree(t *testing.T) {
	t.Parallel()
	q := strings.Repeat("a", 6399) + "b"
	m := newMeasurer(t)
	for _, op := range []string{`s == "%s"`, `s < "%s"`, `"%s" > s`, `s startsWith "%s"`, `s endsWith "%s"`, `"%s" contains s`, `s in ["%s", "x"]`} {
		cond := strings.ReplaceAll(op, "%s", q)
		got := m.measure(`let s = repeat("a", 6400); count(0..99, `+cond+`)`, 1)
		if got.compileErr != nil || got.err != nil {
			t.Fatalf("%s: %v %v", op, got.compileErr, got.err)
		}
		if want := 100 * 6400 / bytesPerUnit; got.work < want {
			t.Errorf("%s over 100 steps charged %d units, want at least %d: the quote is read at every step", op, got.work, want)
		}
	}
}

// TestALongKeyIsCharged: making an object hashes each key, so a computed
// key of 500 KB in a loop, a groupBy whose key is that text, or fromPairs
// of such pairs did seconds of work at one unit a step. The key's length is
// charged where it is hashed.
func TestALongKeyIsCharged(t *testing.T) {
	t.Parallel()
	m := newMeasurer(t)
	for _, code := range []string{
		`let s = repeat("a", 6400); count(0..99, len({(s): 1}) > 0)`,
		`let s = repeat("a", 6400); len(groupBy(0..99, s))`,
		`let s = repeat("a", 6400); len(fromPairs(map(0..99, [s, 1])))`,
	} {
		got := m.measure(code, 1)
		if got.compileErr != nil || got.err != nil {
			t.Fatalf("%s: %v %v", code, got.compileErr, got.err)
		}
		if want := 100 * 6400 / bytesPerUnit; got.work < want {
			t.Errorf("%s charged %d units, want at least %d: each step hashes the key", code, got.work, want)
		}
	}
}
