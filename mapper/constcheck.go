package mapper

import (
	"math"

	"github.com/expr-lang/expr/ast"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

// checkNonFiniteConstant refuses a claim whose expression gives NaN or an
// infinity whatever the event (`0/0`, `[1, 1/0]`): such a value can never
// go in a token, so the claim would fail at every sign-in. Like a const: of
// .nan, it is a load error rather than a failed claim. Only literal values
// that expr folds at compile time count; anything the event can change is
// left to the check every claim value gets when it runs (checkValue).
// compileExpr notes the expressions whose optimized tree is such a value.
func (c *compiler) checkNonFiniteConstant(e *config.Expr) {
	if e == nil || !c.nonFinite[e] {
		return
	}
	c.add(config.Finding{Pos: e.Pos, Path: e.Path, Severity: config.SevError, Rule: "const-value",
		Message: "this expression always gives a number that is not finite (NaN or infinity), which a token cannot hold; the claim would fail at every sign-in: check the division or the number"})
}

// nonFinite reports whether a folded literal holds NaN or an infinity.
func nonFinite(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.FloatNode:
		return math.IsNaN(x.Value) || math.IsInf(x.Value, 0)
	case *ast.ConstantNode:
		return dynval.Check(x.Value) != nil
	case *ast.ArrayNode:
		for _, e := range x.Nodes {
			if nonFinite(e) {
				return true
			}
		}
	case *ast.MapNode:
		for _, p := range x.Pairs {
			if pair, ok := p.(*ast.PairNode); ok && nonFinite(pair.Value) {
				return true
			}
		}
	case *ast.UnaryNode:
		return nonFinite(x.Node)
	}
	return false
}
