package everyuser

import (
	"fmt"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"

	"github.com/claimsmapper/claimsmapper/config"
)

// Rules of the findings Shapes returns.
const (
	// RuleFallbackCoversOnePart is a ?? inside a + join: ?? binds tighter
	// than +, so its fallback stands in for the one part on its left, not
	// for the join, and the other parts still fail when missing.
	RuleFallbackCoversOnePart = "fallback-covers-one-part"
	// RuleJoinMayFail is a + over a source's attribute, which fails for a
	// user whose item lacks it.
	RuleJoinMayFail = "join-may-fail"
)

// Shapes finds, in the claims' expressions alone, the shape behind most
// claims that fail for some users: `+` over an attribute that an item may
// lack (a hint, since the sample data may show it never does), and a `??`
// meant for a whole join that covers one part of it
// (`user.FirstName + " " + user.LastName ?? event.userName` reads as
// `user.FirstName + " " + (user.LastName ?? event.userName)`, since `??`
// binds tighter than `+`: a warning, since a user without FirstName still
// fails).
func Shapes(m *config.Mapping) []config.Finding {
	sources := map[string]bool{}
	for _, s := range m.Sources {
		sources[s.Name] = true
	}
	var out []config.Finding
	for _, cl := range m.Claims {
		if cl.Value == nil {
			continue
		}
		guard := ""
		if cl.When != nil {
			guard = cl.When.Code
		}
		out = append(out, exprShapes(m.File, cl.Value, guard, sources)...)
	}
	return out
}

type visitor func(ast.Node)

func (v visitor) Visit(n *ast.Node) { v(*n) }

// exprShapes checks one expression; guard is its claim's when:, and an
// attribute the guard names is taken as checked there.
func exprShapes(file string, e *config.Expr, guard string, sources map[string]bool) []config.Finding {
	tree, err := parser.Parse(e.Code)
	if err != nil {
		return nil
	}
	// The joins: + nodes that are not themselves a part of a larger +.
	var pluses []*ast.BinaryNode
	inner := map[ast.Node]bool{}
	ast.Walk(&tree.Node, visitor(func(n ast.Node) {
		if b, ok := n.(*ast.BinaryNode); ok && b.Operator == "+" {
			pluses = append(pluses, b)
			inner[b.Left], inner[b.Right] = true, true
		}
	}))
	var out []config.Finding
	seen := map[string]bool{}
	for _, join := range pluses {
		if inner[join] {
			continue
		}
		parts := flatten(join)
		var bare []string // source attributes joined without a fallback
		var bareAt []int
		zero := `""`
		for _, p := range parts {
			switch p.(type) {
			case *ast.IntegerNode, *ast.FloatNode:
				zero = "0"
			}
		}
		var fallback *ast.BinaryNode
		for _, p := range parts {
			switch p := p.(type) {
			case *ast.MemberNode:
				if isSourceMember(p, sources) {
					bare = append(bare, strings.TrimSpace(slice(e.Code, p)))
					from, _ := span(p)
					bareAt = append(bareAt, from)
				}
			case *ast.BinaryNode:
				if p.Operator == "??" && fallback == nil {
					fallback = p
				}
			}
		}
		if fallback != nil && len(bare) > 0 {
			whole := strings.TrimSpace(slice(e.Code, join))
			covered := strings.TrimSpace(slice(e.Code, fallback.Left))
			alt := strings.TrimSpace(slice(e.Code, fallback.Right))
			plain := strings.Replace(whole, strings.TrimSpace(slice(e.Code, fallback)), covered, 1)
			checks := append(append([]string{}, bare...), covered)
			out = append(out, config.Finding{File: file, Pos: at(e, fallback.Location().From), Path: e.Path, Severity: config.SevWarning, Rule: RuleFallbackCoversOnePart,
				Message: fmt.Sprintf("?? binds tighter than +, so %s stands in for %s only, not for the whole %s: a user without %s still fails and gets no claim. "+
					"To use %s when a part is missing, write %s ? %s : %s",
					alt, covered, plain, strings.Join(bare, " or "), alt, strings.Join(notNil(checks), " && "), plain, alt)})
			continue
		}
		for i, name := range bare {
			if seen[name] || guarded(guard, name) {
				continue
			}
			seen[name] = true
			out = append(out, config.Finding{File: file, Pos: at(e, bareAt[i]), Path: e.Path, Severity: config.SevInfo, Rule: RuleJoinMayFail,
				Message: fmt.Sprintf("%s may be missing (an item without it, or no item for the user), and then + fails and the claim is left out for that user; if it can be missing, write (%s ?? %s)",
					name, name, zero)})
		}
	}
	return out
}

// guarded tells whether a when: names the attribute, as user.FirstName or
// user?.FirstName.
func guarded(guard, name string) bool {
	if guard == "" {
		return false
	}
	src, attr, ok := strings.Cut(name, ".")
	return strings.Contains(guard, name) || ok && strings.Contains(guard, src+"?."+attr)
}

func notNil(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = s + " != nil"
	}
	return out
}

// flatten lists the parts a + chain joins, left to right.
func flatten(n ast.Node) []ast.Node {
	if b, ok := n.(*ast.BinaryNode); ok && b.Operator == "+" {
		return append(flatten(b.Left), flatten(b.Right)...)
	}
	return []ast.Node{n}
}

// isSourceMember tells user.FirstName (a source's attribute, which an item
// may lack) from event.userName.
func isSourceMember(m *ast.MemberNode, sources map[string]bool) bool {
	id, ok := m.Node.(*ast.IdentifierNode)
	return ok && sources[id.Value]
}

// slice is the code a node spans. expr's locations count runes, and a
// binary node's location is its operator's: the span of a node is from its
// leftmost descendant to its rightmost.
func slice(code string, n ast.Node) string {
	from, to := span(n)
	runes := []rune(code)
	from, to = max(0, min(from, len(runes))), max(0, min(to, len(runes)))
	if from >= to {
		return ""
	}
	return string(runes[from:to])
}

func span(n ast.Node) (from, to int) {
	loc := n.Location()
	from, to = loc.From, loc.To
	switch n := n.(type) {
	case *ast.BinaryNode:
		lf, _ := span(n.Left)
		_, rt := span(n.Right)
		return lf, rt
	case *ast.MemberNode:
		lf, _ := span(n.Node)
		_, rt := span(n.Property)
		return min(from, lf), max(to, rt)
	case *ast.StringNode:
		// The location spans the quotes' content; take the quotes too.
		return from, to
	}
	return from, to
}

// at maps a rune offset in the expression to its place in the file.
func at(e *config.Expr, runeOff int) config.Pos {
	runes := []rune(e.Code)
	runeOff = max(0, min(runeOff, len(runes)))
	before := string(runes[:runeOff])
	line := 1 + strings.Count(before, "\n")
	col := len(before)
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		col = len(before) - i - 1
	}
	return e.PosAt(line, col)
}
