package changes

import (
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/loadcount"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// Literals is the text two mappings write themselves: every YAML scalar
// (keys, constants, whole expressions) and every quoted string inside an
// expression. A masked diff shows such text as it is, since it is in the
// pull request already; anything else in a token was computed from the
// event or from data, and is masked.
type Literals map[string]bool

// LiteralsOf collects the literal text of the mappings given. Text that is
// not YAML adds nothing, so the worst a broken mapping does is mask more.
func LiteralsOf(srcs ...[]byte) Literals {
	lit := Literals{}
	for _, src := range srcs {
		var doc yaml.Node
		if yamlnode.Scan(src) != nil {
			continue
		}
		loadcount.Parsed()
		if yaml.Unmarshal(src, &doc) != nil {
			continue
		}
		lit.addNode(&doc, 0)
	}
	return lit
}

// maxDepth stops the walk where YAML aliases could make it endless; the
// mapping's own loader refuses anything near as deep.
const maxDepth = 64

func (lit Literals) addNode(n *yaml.Node, depth int) {
	if n == nil || depth > maxDepth {
		return
	}
	if n.Kind == yaml.ScalarNode {
		lit[n.Value] = true
		lit.addExpr(n.Value)
		return
	}
	if n.Kind == yaml.AliasNode {
		return // its anchor is walked where it is written
	}
	for _, c := range n.Content {
		lit.addNode(c, depth+1)
	}
}

// maxExpr is the longest scalar read as an expression: past it, only the
// scalar itself counts, and the parser's cost stays small on any text.
const maxExpr = 4096

// addExpr adds the quoted strings of code, when it parses as an expression.
func (lit Literals) addExpr(code string) {
	if len(code) > maxExpr || !strings.ContainsAny(code, "\"'`") {
		return
	}
	tree, err := parser.Parse(code)
	if err != nil {
		return
	}
	ast.Find(tree.Node, func(n ast.Node) bool {
		if s, ok := n.(*ast.StringNode); ok {
			lit[s.Value] = true
		}
		return false
	})
}
