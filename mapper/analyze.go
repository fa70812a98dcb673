package mapper

import (
	"sort"
	"strings"

	"github.com/expr-lang/expr/ast"

	"github.com/claimsmapper/claimsmapper/config"
)

// usage is what the expressions of a mapping read of one source.
type usage struct {
	attrs map[string]bool
	// whole is set when some expression uses the item in a way whose
	// attributes cannot be known (passed whole, indexed by a computed name):
	// the lookup then fetches every attribute.
	whole bool
}

// predicateBuiltins are the builtins whose result holds no element of their
// list, so the attributes their predicate reads are all they need of it.
var predicateBuiltins = map[string]bool{
	"map": true, "all": true, "any": true, "none": true, "one": true,
	"count": true, "sum": true, "findIndex": true, "findLastIndex": true,
}

// analyze records which sources e names and which of their attributes it reads.
// It walks the checked tree, before the optimizer or the budget rewrite it.
func (c *compiler) analyze(e *config.Expr, root ast.Node) {
	consumed := map[*ast.IdentifierNode]bool{}
	var idents []*ast.IdentifierNode
	ast.Walk(&root, visitor(func(n ast.Node) {
		switch n := n.(type) {
		case *ast.IdentifierNode:
			if c.isSource(n.Value) {
				idents = append(idents, n)
			}
		case *ast.MemberNode:
			if id, ok := n.Node.(*ast.IdentifierNode); ok && c.isSource(id.Value) {
				if prop, ok := n.Property.(*ast.StringNode); ok {
					c.use(id.Value).attrs[prop.Value] = true
					c.read(e, id.Value, prop.Value)
					consumed[id] = true
				}
			}
		case *ast.BinaryNode:
			// user == nil and user != nil need only know whether the item exists.
			if n.Operator == "==" || n.Operator == "!=" {
				for _, pair := range [][2]ast.Node{{n.Left, n.Right}, {n.Right, n.Left}} {
					if id, ok := pair[0].(*ast.IdentifierNode); ok && c.isSource(id.Value) {
						if _, isNil := pair[1].(*ast.NilNode); isNil {
							consumed[id] = true
						}
					}
				}
			}
		case *ast.BuiltinNode:
			if len(n.Arguments) == 0 {
				return
			}
			id, ok := n.Arguments[0].(*ast.IdentifierNode)
			if !ok || !c.isSource(id.Value) {
				return
			}
			if n.Name == "len" {
				// The length of a query's list is its number of items, which
				// a projection does not change; the length of an item is its
				// number of attributes, which needs them all.
				if c.isQuery(id.Value) {
					consumed[id] = true
				}
				return
			}
			if predicateBuiltins[n.Name] && len(n.Arguments) > 1 {
				if cl, ok := n.Arguments[1].(*ast.PredicateNode); ok {
					if attrs, ok := predicateAttrs(cl); ok {
						for _, a := range sortedSet(attrs) {
							c.use(id.Value).attrs[a] = true
							c.read(e, id.Value, a)
						}
						consumed[id] = true
					}
				}
			}
		}
	}))
	seen := map[string]bool{}
	for _, id := range idents {
		// Naming a source uses it, even as len(list) or user != nil.
		u := c.use(id.Value)
		if !consumed[id] {
			u.whole = true
		}
		if !seen[id.Value] {
			seen[id.Value] = true
			c.refs[e] = append(c.refs[e], id.Value)
		}
	}
}

// predicateAttrs returns the attributes a predicate reads of its element (#),
// or false when it uses the element otherwise. Pointers inside nested
// predicates belong to those predicates' own elements.
func predicateAttrs(cl *ast.PredicateNode) (map[string]bool, bool) {
	foreign := map[*ast.PointerNode]bool{}
	var nested []*ast.PredicateNode
	ast.Walk(&cl.Node, visitor(func(n ast.Node) {
		if inner, ok := n.(*ast.PredicateNode); ok {
			nested = append(nested, inner)
		}
	}))
	for _, inner := range nested {
		ast.Walk(&inner.Node, visitor(func(n ast.Node) {
			if p, ok := n.(*ast.PointerNode); ok {
				foreign[p] = true
			}
		}))
	}
	attrs := map[string]bool{}
	used := map[*ast.PointerNode]bool{}
	all := []*ast.PointerNode{}
	ast.Walk(&cl.Node, visitor(func(n ast.Node) {
		switch n := n.(type) {
		case *ast.PointerNode:
			if n.Name == "" && !foreign[n] {
				all = append(all, n)
			}
		case *ast.MemberNode:
			if p, ok := n.Node.(*ast.PointerNode); ok && p.Name == "" && !foreign[p] {
				if prop, ok := n.Property.(*ast.StringNode); ok {
					attrs[prop.Value] = true
					used[p] = true
				}
			}
		}
	}))
	for _, p := range all {
		if !used[p] {
			return nil, false
		}
	}
	return attrs, true
}

// read records that e reads attribute attr of source src, for the checks
// against real items (AttributeReads) and for explain's notes.
func (c *compiler) read(e *config.Expr, src, attr string) {
	pos := e.Pos
	if i := strings.Index(e.Code, attr); i >= 0 {
		pos = e.PosAt(1, i)
	}
	table := ""
	for _, s := range c.cfg.Sources {
		if s.Name == src {
			table = s.Table
		}
	}
	c.reads[e] = append(c.reads[e], AttrRead{Source: src, Table: table, Attr: attr, Path: e.Path, Pos: pos})
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *compiler) isSource(name string) bool {
	for _, s := range c.cfg.Sources {
		if s.Name == name {
			return true
		}
	}
	return false
}

func (c *compiler) isQuery(name string) bool {
	for _, s := range c.cfg.Sources {
		if s.Name == name {
			return s.IsQuery()
		}
	}
	return false
}

func (c *compiler) use(name string) *usage {
	u := c.usage[name]
	if u == nil {
		u = &usage{attrs: map[string]bool{}}
		c.usage[name] = u
	}
	return u
}

type visitor func(ast.Node)

func (v visitor) Visit(n *ast.Node) { v(*n) }
