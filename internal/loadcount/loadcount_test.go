package loadcount_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// notMappings are the functions that parse YAML text without counting it,
// and why: each reads something other than a mapping's text in full.
var notMappings = map[string]string{
	"internal/datafile/datafile.go:Parse":         "a data file, not a mapping",
	"internal/yamlnode/syntax.go:locateYAMLError": "prefixes of a text whose YAML failed, data files' too, to place the error at its line",
}

// TestEveryYAMLParseIsCounted: a function of this module that parses YAML
// text (yaml.Unmarshal, yaml.NewDecoder) counts it with Parsed, or is
// listed above with the reason it reads no mapping. Otherwise the tests that
// prove "one parse per keystroke" would miss a parse added later.
func TestEveryYAMLParseIsCounted(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); p != root && (n == "node_modules" || n == "testdata" || n == "bench" || strings.HasPrefix(n, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			parses, counts := false, false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
					if x, ok := sel.X.(*ast.Ident); ok {
						switch {
						case x.Name == "yaml" && (sel.Sel.Name == "Unmarshal" || sel.Sel.Name == "NewDecoder"):
							parses = true
						case x.Name == "loadcount" && sel.Sel.Name == "Parsed":
							counts = true
						}
					}
				}
				return true
			})
			key := filepath.ToSlash(rel) + ":" + fn.Name.Name
			if !parses {
				continue
			}
			seen[key] = true
			if _, listed := notMappings[key]; !counts && !listed {
				t.Errorf("%s parses YAML text without loadcount.Parsed(); count it, or list it in notMappings with the reason it reads no mapping", key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !seen["config/parse.go:parse"] {
		t.Error("config's parse was not found: is the walk rooted at the module?")
	}
	for key := range notMappings {
		if !seen[key] {
			t.Errorf("notMappings lists %s, which parses no YAML (any more): remove it", key)
		}
	}
}
