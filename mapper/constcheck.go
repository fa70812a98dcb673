package mapper

import (
	"fmt"
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

// constTooLarge is the finding for a const: that passes a limit whatever
// the sign-in: each sign-in would fail the claim (constErr), so lint says
// so where the value is written, as load does.
func constTooLarge(file string, cl *claim, lim *Limits) (config.Finding, bool) {
	limit, ok := isLimit(cl.constErr)
	if !ok {
		return config.Finding{}, false
	}
	f := config.Finding{File: file, Pos: cl.cfg.Const.Pos, Path: cl.path + ".const", Severity: config.SevError, Rule: "over-limit",
		Message: fmt.Sprintf("this value is more than %s written as JSON, the most one claim's value may be, so the claim would fail at every sign-in; shorten it, or keep the data in a source and read what each sign-in needs", sizeText(lim.Value))}
	if limit == "depth" {
		f.Message = fmt.Sprintf("this value nests lists and objects more than %d levels deep, so the claim would fail at every sign-in; flatten it", lim.Depth)
	}
	return f, true
}

// checkConstSizes adds a finding for each const: that can never be in a
// token, and warns where the const: values of the claims without a when,
// a copy for each token each goes to (V1 triggers: the ID token only), add
// up to more than one sign-in's values may take (Limits.Bytes): from there
// on, claims fail at sign-ins for want of room.
func (c *compiler) checkConstSizes(claims []*claim) {
	total := 0
	for _, cl := range claims {
		if f, ok := constTooLarge(c.cfg.File, cl, c.limits); ok {
			c.add(f)
			continue
		}
		if cl.cfg.Const == nil || cl.cfg.When != nil {
			continue
		}
		copies := 0
		if cl.cfg.Tokens.Has(config.IDToken) {
			copies++
		}
		if cl.cfg.Tokens.Has(config.AccessToken) && c.cfg.TriggerVersion != "V1_0" {
			copies++
		}
		if total += copies * cl.constSize; total > c.limits.Bytes {
			c.add(config.Finding{Pos: cl.cfg.Const.Pos, Path: cl.path + ".const", Severity: config.SevWarning, Rule: "over-limit",
				Message: fmt.Sprintf("the const: values up to this one, a copy in each token each goes to, add up to more than the %s all the values of one sign-in may take, so this claim and others after it fail at sign-ins, as their onError says; shorten them, or keep the data in a source and read what each sign-in needs", sizeText(c.limits.Bytes))})
			return
		}
	}
}
