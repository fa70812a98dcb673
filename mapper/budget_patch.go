package mapper

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

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

// compileExpr compiles one expression as expr.Compile would, from one
// parse and one type check, with two steps more: the analysis (which
// sources and attributes it reads) and the constant check walk the checked
// tree, and, once the tree is checked and optimized as its author wrote it
// (so every message is about their text), the operations whose cost grows
// with their inputs are routed through the event's budget (budgetPatch)
// before it is compiled.
func (c *compiler) compileExpr(e *config.Expr, asBool bool) (*vm.Program, error) {
	cfg := c.config(asBool)
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
	if !c.checkMethods(e, tree) {
		return nil, errReported
	}
	c.analyze(e, tree.Node)
	if _, want := c.quoted[e]; want {
		c.quoted[e] = quotedResults(e, tree)
	}
	if err := optimizer.Optimize(&tree.Node, cfg); err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, fe.Bind(tree.Source)
		}
		return nil, err
	}
	if nonFinite(tree.Node) {
		c.nonFinite[e] = true
	}
	if !c.unbounded {
		p := &budgetPatch{c: c}
		ast.Walk(&tree.Node, p)
		if p.err != nil {
			return nil, p.err
		}
	}
	return exprcompiler.Compile(tree, cfg)
}

// config is the expr configuration every expression compiles with: the
// environment, the budget's functions, and whether the result is a boolean.
func (c *compiler) config(asBool bool) *conf.Config {
	if c.confs[asBool] != nil {
		return c.confs[asBool]
	}
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
	c.confs[asBool] = cfg
	return cfg
}

// precheck looks for what the limits forbid whatever the event: names that
// start with $ (the budget's own, and $env, which holds the process's
// values), operations without an entry in the cost model, patterns too
// large to compile, and ranges or repetitions certain to exceed the limits.
// It adds a finding for each and reports whether the expression may still
// compile.
func (c *compiler) precheck(e *config.Expr, tree *parser.Tree) bool {
	ok := true
	lim := c.limits
	find := func(n ast.Node, sev config.Severity, rule, format string, args ...any) {
		fe := (&file.Error{Location: n.Location()}).Bind(tree.Source)
		f := config.Finding{Pos: e.PosAt(fe.Line, fe.Column), Path: e.Path, Severity: sev, Rule: rule, Snippet: fe.Snippet,
			Message: fmt.Sprintf(format, args...)}
		c.add(f)
		if sev == config.SevError {
			ok = false
		}
	}
	noCost := func(n ast.Node, what string) {
		find(n, config.SevError, "no-cost", "%s has no cost in claimsmapper's evaluation limits, so it cannot run in a sign-in; write the expression without it", what)
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
			switch {
			case n.Value == "$env":
				// It holds the budget and whatever else the process keeps
				// there, which must never reach a token or a log.
				find(n, config.SevError, "reserved-name", "$env is reserved: it holds claimsmapper's own values, which may not go in a token; name the source or event field you mean (user, event.userName)")
			case strings.HasPrefix(n.Value, "$"):
				find(n, config.SevError, "reserved-name", "the name %q is reserved: names that start with $ belong to claimsmapper; rename it", n.Value)
			}
		case *ast.VariableDeclaratorNode:
			if strings.HasPrefix(n.Name, "$") {
				find(n, config.SevError, "reserved-name", "the name %q is reserved: names that start with $ belong to claimsmapper; rename the variable", n.Name)
			}
		case *ast.UnaryNode:
			if _, priced := unaryCosts[n.Operator]; !priced {
				noCost(n, fmt.Sprintf("the operator %q", n.Operator))
			}
		case *ast.BuiltinNode:
			if _, priced := builtinCosts[n.Name]; !priced {
				noCost(n, fmt.Sprintf("the function %s()", n.Name))
			}
			if n.Name == "repeat" && len(n.Arguments) == 2 {
				s, ok1 := n.Arguments[0].(*ast.StringNode)
				k, ok2 := n.Arguments[1].(*ast.IntegerNode)
				if ok1 && ok2 && len(s.Value) > 0 && k.Value > lim.Bytes/len(s.Value) {
					find(n, config.SevError, "over-limit", "this repeat makes more text than one sign-in may produce (%s); repeat fewer times", sizeText(lim.Bytes))
				}
			}
		case *ast.CallNode:
			switch n.Callee.(type) {
			case *ast.IdentifierNode:
				// expr's checker says whether the function exists.
			case *ast.MemberNode:
				// A method: checkMethods decides once the receiver's type is known.
			default:
				noCost(n, "calling a computed function")
			}
		case *ast.BinaryNode:
			if _, priced := operatorCosts[n.Operator]; !priced {
				noCost(n, fmt.Sprintf("the operator %q", n.Operator))
			}
			switch n.Operator {
			case "matches":
				if s, isText := n.Right.(*ast.StringNode); isText {
					if _, _, err := checkPattern(s.Value, &Limits{Pattern: len(s.Value), PatternSize: lim.PatternSize}); err != nil {
						if _, isLimit := isLimit(err); isLimit {
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
		default:
			if !nodeCosts[reflect.TypeOf(n).Elem().Name()] {
				noCost(n, "this kind of expression")
			}
		}
	}))
	return ok
}

// methodCosts are the methods an expression may call, by the type of the
// value they are called on: the fields of a date and a duration, and their
// arithmetic, all of fixed cost. Format writes text as long as its layout,
// so its layout must be quoted. Any other method (a method of the event,
// or of a value whose type is known only when the sign-in runs) is Go code
// the cost model has no entry for.
var methodCosts = map[reflect.Type]map[string]bool{
	reflect.TypeOf(time.Time{}): setOf("Year", "Month", "Day", "Hour", "Minute", "Second", "Nanosecond", "Weekday",
		"YearDay", "ISOWeek", "Unix", "UnixMilli", "UnixMicro", "UnixNano", "UTC", "Local", "IsZero", "Before", "After",
		"Equal", "Compare", "Add", "Sub", "AddDate", "Truncate", "Round", "In", "Format", "String", "Location"),
	reflect.TypeOf(time.Duration(0)): setOf("Hours", "Minutes", "Seconds", "Milliseconds", "Microseconds", "Nanoseconds",
		"String", "Round", "Truncate", "Abs"),
	reflect.TypeOf((*time.Location)(nil)): setOf("String"),
}

func setOf(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// checkMethods refuses, once the expression is type-checked, a method call
// that methodCosts has no entry for, and reports whether there was none.
func (c *compiler) checkMethods(e *config.Expr, tree *parser.Tree) bool {
	ok := true
	ast.Walk(&tree.Node, visitor(func(n ast.Node) {
		call, isCall := n.(*ast.CallNode)
		if !isCall {
			return
		}
		m, isMethod := call.Callee.(*ast.MemberNode)
		if !isMethod {
			return
		}
		name, _ := m.Property.(*ast.StringNode)
		methods := methodCosts[m.Node.Type()]
		priced := name != nil && methods[name.Value]
		if priced && name.Value == "Format" && len(call.Arguments) == 1 {
			// Format's work and the text it writes grow with its layout:
			// a quoted one of at most a unit's bytes keeps them fixed.
			layout, quoted := call.Arguments[0].(*ast.StringNode)
			priced = quoted && len(layout.Value) <= bytesPerUnit
		}
		if priced {
			return
		}
		ok = false
		fe := (&file.Error{Location: call.Location()}).Bind(tree.Source)
		c.add(config.Finding{Pos: e.PosAt(fe.Line, fe.Column), Path: e.Path, Rule: "no-cost", Snippet: fe.Snippet,
			Message: "calling this method has no cost in claimsmapper's evaluation limits, so it cannot run in a sign-in; only the methods of dates and durations can be called (now().Year(), a date's .Format(\"2006-01-02\") with a quoted layout of at most 64 characters)"})
	}))
	return ok
}

// nodeCosts lists the kinds of node whose own work is fixed (reading a
// variable, a field or an element, choosing a branch): the operations and
// calls are priced by operatorCosts and builtinCosts. A kind not listed
// here, or in precheck's cases, does not compile.
var nodeCosts = map[string]bool{
	"NilNode": true, "IntegerNode": true, "FloatNode": true, "BoolNode": true, "StringNode": true,
	"BytesNode": true, "ConstantNode": true, "ChainNode": true, "MemberNode": true, "SliceNode": true,
	"PredicateNode": true, "PointerNode": true, "ConditionalNode": true, "SequenceNode": true,
	"ArrayNode": true, "MapNode": true, "PairNode": true,
	// Priced by precheck's own cases.
	"IdentifierNode": true, "VariableDeclaratorNode": true, "UnaryNode": true, "BuiltinNode": true,
	"CallNode": true, "BinaryNode": true,
}

// budgetPatch rewrites a checked, optimized expression so that every
// operation whose cost grows with its inputs goes through the event's
// budget, as cost.go says:
//
//   - a loop (map, filter, all, reduce, ...) is charged its length before it
//     starts ($iter) and checks the event's time at every step ($tick);
//   - every charged builtin is replaced by a function that charges the
//     budget from its arguments, then runs it ($name);
//   - comparisons, in, contains, startsWith and endsWith are charged what
//     they read, unless a quoted operand bounds it; matches, + on text and
//     a..b are always charged;
//   - a computed key (user[name]) is charged its length ($key), and a list
//     or object made from computed values its size ($size).
//
// Each replacement keeps the node's type, so the tree compiles without
// being checked again.
type budgetPatch struct {
	c   *compiler
	err error
}

func (p *budgetPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		// A step is charged one unit by $iter; a long body is charged the
		// rest of its size at each step.
		tick := budgetCall("$tick", n.Node, intNode(nodeCount(n.Node)/nodesPerUnit))
		tick.SetType(boolType)
		seq := &ast.SequenceNode{Nodes: []ast.Node{tick, n.Node}}
		seq.SetLocation(tick.Location())
		seq.SetNature(*n.Node.Nature())
		n.Node = seq
	case *ast.BinaryNode:
		switch operatorCosts[n.Operator] {
		case opCompare:
			if !bounded(n.Left) && !bounded(n.Right) && !(isScalar(n.Left) && isScalar(n.Right)) {
				p.replace(node, "$"+n.Operator, n.Left, n.Right)
			}
		case opText:
			if !bounded(n.Left) && (n.Operator == "contains" || !bounded(n.Right)) {
				p.replace(node, "$"+n.Operator, n.Left, n.Right)
			}
		case opIn:
			_, constant := n.Right.(*ast.ConstantNode)
			if !constant || !(bounded(n.Left) || isScalar(n.Left)) {
				p.replace(node, "$in", n.Left, n.Right)
			}
		case opMatches:
			if s, isText := n.Right.(*ast.StringNode); isText {
				if err := p.c.quotedPattern(s.Value); err != nil {
					p.err = err
					return
				}
			}
			p.replace(node, "$matches", n.Left, n.Right)
		case opAdd:
			if !isNumber(n.Left) || !isNumber(n.Right) {
				p.replace(node, "$add", n.Left, n.Right)
			}
		case opRange:
			p.replace(node, "$range", n.Left, n.Right)
		}
	case *ast.BuiltinNode:
		c := builtinCosts[n.Name]
		switch {
		case c.loop:
			kind, perElem := iterVisit, c.perElem
			switch {
			case c.sorts:
				kind = iterSort
			case perElem > 0:
				kind = iterMake
			}
			n.Arguments[0] = budgetCall("$iter", n.Arguments[0], n.Arguments[0], intNode(kind), intNode(perElem))
			if pred, ok := n.Arguments[len(n.Arguments)-1].(*ast.PredicateNode); ok && n.Name == "groupBy" {
				// Each step's result is hashed as a key: charged its length.
				pred.Node = budgetCall("$key", pred.Node, pred.Node)
			}
		case c.charge != nil:
			p.replace(node, "$"+n.Name, n.Arguments...)
		}
	case *ast.MemberNode:
		// A key is hashed at every lookup: a short quoted one is a field
		// name (user.email), a long one is charged its length like a
		// computed one.
		if !bounded(n.Property) && !isNumber(n.Property) {
			n.Property = budgetCall("$key", n.Property, n.Property)
		}
	case *ast.ArrayNode:
		if !literals(n.Nodes) {
			p.replace(node, "$size", n)
		}
	case *ast.MapNode:
		p.replace(node, "$size", n)
	case *ast.PairNode:
		// Making the object hashes a computed key: charged its length.
		switch n.Key.(type) {
		case *ast.StringNode, *ast.IntegerNode, *ast.ConstantNode:
		default:
			n.Key = budgetCall("$key", n.Key, n.Key)
		}
	}
}

// nodesPerUnit is how many operations of fixed cost make one unit of work.
const nodesPerUnit = 8

// nodeCount is the number of nodes under n.
func nodeCount(n ast.Node) int {
	count := 0
	ast.Walk(&n, visitor(func(ast.Node) { count++ }))
	return count
}

// quotedPattern compiles a quoted pattern once, for every sign-in.
func (c *compiler) quotedPattern(p string) error {
	if c.patterns[p] != nil {
		return nil
	}
	compiled, err := compilePattern(p, &Limits{Pattern: len(p), PatternSize: c.limits.PatternSize})
	if err != nil {
		return err
	}
	c.patterns[p] = compiled
	return nil
}

// replace puts a call of fn in the place of *node.
func (p *budgetPatch) replace(node *ast.Node, fn string, args ...ast.Node) {
	*node = budgetCall(fn, *node, args...)
}

var (
	budgetType     = reflect.TypeOf((*budget)(nil))
	budgetFuncType = reflect.TypeOf(budgetFunc(nil))
	boolType       = reflect.TypeOf(true)
	intType        = reflect.TypeOf(0)
)

// budgetCall is fn($budget, args...), located and typed as orig so that
// runtime errors point at the author's text and the nodes around it keep
// the types the checker gave them.
func budgetCall(fn string, orig ast.Node, args ...ast.Node) ast.Node {
	callee := &ast.IdentifierNode{Value: fn}
	callee.SetType(budgetFuncType)
	b := &ast.IdentifierNode{Value: budgetVar}
	b.SetType(budgetType)
	call := &ast.CallNode{Callee: callee, Arguments: append([]ast.Node{b}, args...)}
	for _, n := range []ast.Node{callee, b, call} {
		n.SetLocation(orig.Location())
	}
	call.SetNature(*orig.Nature())
	return call
}

func intNode(v int) ast.Node {
	n := &ast.IntegerNode{Value: v}
	n.SetType(intType)
	return n
}

// bounded reports a short quoted value: an operation that reads at most as
// much of its other operand as it has needs no charge. A quoted text longer
// than a unit's bytes is not: the operation reads it at every step of a
// loop, and a mapping may quote tens of kilobytes.
func bounded(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.StringNode:
		return len(x.Value) <= bytesPerUnit
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.NilNode:
		return true
	case *ast.ConstantNode:
		switch v := x.Value.(type) {
		case string:
			return len(v) <= bytesPerUnit
		case int, int64, float64, bool, nil:
			return true
		}
	}
	return false
}

// isScalar reports a number or a boolean, whose comparison is one step.
func isScalar(n ast.Node) bool {
	return isNumber(n) || n.Type() != nil && n.Type().Kind() == reflect.Bool
}

func isNumber(n ast.Node) bool {
	if n.Type() == nil {
		return false
	}
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
