package mapper

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	exprcompiler "github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"

	"github.com/claimsmapper/claimsmapper/config"
)

// errReported is a compile failure whose findings were already added.
var errReported = errors.New("reported")

// compileExpr compiles one expression as expr.Compile would, with one step
// more: once the expression has type-checked as its author wrote it (so
// every message is about their text), the operations that loop or produce
// text are routed through the event's budget (budgetPatch), and the result
// is checked and compiled again.
func (c *compiler) compileExpr(e *config.Expr, asBool bool) (*vm.Program, error) {
	cfg := conf.CreateNew()
	expr.Env(c.env)(cfg)
	if asBool {
		expr.AsBool()(cfg)
	}
	if !c.unbounded {
		for _, o := range budgetFuncs {
			o(cfg)
		}
	}
	cfg.Check()
	tree, err := parser.ParseWithConfig(e.Code, cfg)
	if err != nil {
		return nil, err
	}
	if !c.precheck(e, tree) {
		return nil, errReported
	}
	if _, err := checker.Check(tree, cfg); err != nil {
		return nil, err
	}
	if !c.unbounded {
		p := &budgetPatch{underIn: map[ast.Node]bool{}}
		ast.Walk(&tree.Node, visitor(p.mark))
		ast.Walk(&tree.Node, p)
		if _, err := checker.Check(tree, cfg); err != nil {
			return nil, fmt.Errorf("the expression could not be put under the evaluation limits: %w", err)
		}
	}
	if err := optimizer.Optimize(&tree.Node, cfg); err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, fe.Bind(tree.Source)
		}
		return nil, err
	}
	return exprcompiler.Compile(tree, cfg)
}

// precheck looks for what the limits forbid whatever the event: names that
// start with $ (the budget's own), patterns too large to compile, and
// ranges or repetitions certain to exceed the limits. It adds a finding for
// each and reports whether the expression may still compile.
func (c *compiler) precheck(e *config.Expr, tree *parser.Tree) bool {
	ok := true
	lim := &DefaultLimits
	find := func(n ast.Node, sev config.Severity, rule, format string, args ...any) {
		fe := (&file.Error{Location: n.Location()}).Bind(tree.Source)
		f := config.Finding{Pos: e.PosAt(fe.Line, fe.Column), Path: e.Path, Severity: sev, Rule: rule, Snippet: fe.Snippet,
			Message: fmt.Sprintf(format, args...)}
		c.add(f)
		if sev == config.SevError {
			ok = false
		}
	}
	rightOfIn := map[ast.Node]bool{}
	ast.Walk(&tree.Node, visitor(func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && b.Operator == "in" {
			rightOfIn[b.Right] = true
		}
	}))
	ast.Walk(&tree.Node, visitor(func(n ast.Node) {
		switch n := n.(type) {
		case *ast.IdentifierNode:
			if strings.HasPrefix(n.Value, "$") && n.Value != "$env" {
				find(n, config.SevError, "reserved-name", "the name %q is reserved: names that start with $ belong to claimsmapper; rename it", n.Value)
			}
		case *ast.VariableDeclaratorNode:
			if strings.HasPrefix(n.Name, "$") {
				find(n, config.SevError, "reserved-name", "the name %q is reserved: names that start with $ belong to claimsmapper; rename the variable", n.Name)
			}
		case *ast.BinaryNode:
			switch n.Operator {
			case "matches":
				if s, isText := n.Right.(*ast.StringNode); isText {
					if _, err := checkPattern(s.Value, &Limits{Pattern: len(s.Value), PatternSize: lim.PatternSize}); err != nil {
						if _, isLimit := IsLimit(err); isLimit {
							find(n.Right, config.SevError, "pattern-size", "this pattern is too large: it expands to more than %d steps once its repetitions are counted; use fewer or smaller repetitions ({n})", lim.PatternSize)
						}
					}
					return
				}
				find(n.Right, config.SevWarning, "computed-pattern", "this pattern is computed when the sign-in runs, so it is compiled at every sign-in and fails the claim if it is over %d characters or invalid; if it does not change, write it as a quoted text", lim.Pattern)
			case "..":
				// Right of in, expr may compare instead of making the list.
				lo, ok1 := n.Left.(*ast.IntegerNode)
				hi, ok2 := n.Right.(*ast.IntegerNode)
				if ok1 && ok2 && !rightOfIn[n] && hi.Value >= lo.Value && uint64(hi.Value)-uint64(lo.Value) >= uint64(lim.Bytes/8) {
					find(n, config.SevError, "over-limit", "this range makes more numbers than fit in the %s of lists one sign-in may produce (8 bytes each); use a smaller range", sizeText(lim.Bytes))
				}
			}
		case *ast.BuiltinNode:
			if n.Name == "repeat" && len(n.Arguments) == 2 {
				s, ok1 := n.Arguments[0].(*ast.StringNode)
				k, ok2 := n.Arguments[1].(*ast.IntegerNode)
				if ok1 && ok2 && len(s.Value) > 0 && k.Value > lim.Bytes/len(s.Value) {
					find(n, config.SevError, "over-limit", "this repeat makes more text than one sign-in may produce (%s); repeat fewer times", sizeText(lim.Bytes))
				}
			}
		}
	}))
	return ok
}

// budgetPatch rewrites a checked expression so that every operation that
// loops or produces text goes through the event's budget:
//
//   - a loop (map, filter, all, reduce, ...) is charged its length before it
//     starts ($iter) and checks the event's time at every step ($tick);
//   - + on text, a..b, and matches with a computed pattern are replaced by
//     functions that charge before they allocate;
//   - the builtins whose output can be far larger than their input (repeat,
//     join, replace, split, toJSON, string, flatten, concat, fromJSON, uniq,
//     max, min, mean, median) are replaced by guarded versions;
//   - every other call, list and object that produces a value is charged
//     the value's size ($size).
//
// Each replacement keeps the node's type, so the rest of the program
// compiles as before.
type budgetPatch struct {
	// underIn marks the ranges right of `in` that expr's optimizer turns
	// into two comparisons (an int in a range of literals): they never
	// allocate.
	underIn map[ast.Node]bool
}

func (p *budgetPatch) mark(n ast.Node) {
	b, ok := n.(*ast.BinaryNode)
	if !ok || b.Operator != "in" || b.Left.Type().Kind() != reflect.Int {
		return
	}
	if r, ok := b.Right.(*ast.BinaryNode); ok && r.Operator == ".." {
		_, lo := r.Left.(*ast.IntegerNode)
		_, hi := r.Right.(*ast.IntegerNode)
		if lo && hi {
			p.underIn[r] = true
		}
	}
}

// loopBuiltins are the builtins that run a loop over their first argument.
var loopBuiltins = map[string]bool{
	"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true,
	"count": true, "sum": true, "groupBy": true, "sortBy": true, "reduce": true,
}

// plainBuiltins produce no new text or collection, or one the size of a
// number: they need no charge.
var plainBuiltins = map[string]bool{
	"len": true, "type": true, "abs": true, "ceil": true, "floor": true, "round": true,
	"int": true, "float": true, "trim": true, "trimPrefix": true, "trimSuffix": true,
	"indexOf": true, "lastIndexOf": true, "hasPrefix": true, "hasSuffix": true,
	"now": true, "duration": true, "date": true, "timezone": true,
	"first": true, "last": true, "get": true,
	"bitand": true, "bitor": true, "bitxor": true, "bitnand": true, "bitnot": true,
	"bitshl": true, "bitshr": true, "bitushr": true,
}

func (p *budgetPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		tick := budgetCall("$tick", n.Node)
		n.Node = &ast.SequenceNode{Nodes: []ast.Node{tick, n.Node}}
		n.Node.SetLocation(tick.Location())
	case *ast.BinaryNode:
		switch n.Operator {
		case "+":
			if !isNumber(n.Left) || !isNumber(n.Right) {
				p.replace(node, "$add", n.Left, n.Right)
			}
		case "..":
			if !p.underIn[n] {
				p.replace(node, "$range", n.Left, n.Right)
			}
		case "matches":
			if _, isText := n.Right.(*ast.StringNode); !isText {
				p.replace(node, "$matches", n.Left, n.Right)
			}
		}
	case *ast.BuiltinNode:
		switch {
		case guardedBuiltins[n.Name] != nil:
			p.replace(node, "$"+n.Name, n.Arguments...)
		case loopBuiltins[n.Name]:
			n.Arguments[0] = budgetCall("$iter", n.Arguments[0], n.Arguments[0])
		case !plainBuiltins[n.Name]:
			p.replace(node, "$size", n)
		}
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && strings.HasPrefix(id.Value, "$") {
			return
		}
		p.replace(node, "$size", n)
	case *ast.ArrayNode:
		if !literals(n.Nodes) {
			p.replace(node, "$size", n)
		}
	case *ast.MapNode:
		p.replace(node, "$size", n)
	}
}

// replace puts a call of fn in the place of *node.
func (p *budgetPatch) replace(node *ast.Node, fn string, args ...ast.Node) {
	*node = budgetCall(fn, *node, args...)
}

// budgetCall is fn($budget, args...), located and typed as orig so that
// runtime errors point at the author's text and type checks still hold.
func budgetCall(fn string, orig ast.Node, args ...ast.Node) ast.Node {
	call := &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: fn},
		Arguments: append([]ast.Node{&ast.IdentifierNode{Value: budgetVar}}, args...),
	}
	call.SetLocation(orig.Location())
	if t := orig.Type(); t != nil && t.Kind() != reflect.Interface && fn != "$tick" {
		// The checker keeps a type set on a call, and does not look inside.
		call.SetNature(*orig.Nature())
	}
	return call
}

func isNumber(n ast.Node) bool {
	switch n.Type().Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// literals reports a list of constants, which expr folds into one value
// made when the expression compiles.
func literals(nodes []ast.Node) bool {
	for _, n := range nodes {
		switch n.(type) {
		case *ast.IntegerNode, *ast.FloatNode, *ast.StringNode, *ast.BoolNode:
		default:
			return false
		}
	}
	return len(nodes) > 0
}
