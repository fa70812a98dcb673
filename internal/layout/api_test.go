package layout_test

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// publicAPI is the most each public package may export: its package-level
// names (constants, variables, functions and types) and the methods of its
// exported types. A library user reads every one of them; raise a number
// only for something a user of the package needs, and say why in the
// commit. Whatever only the project's own packages share goes in internal/.
var publicAPI = map[string]struct{ names, methods int }{
	"config":    {names: 44, methods: 10},
	"mapper":    {names: 28, methods: 19}, // under 30: issue #23
	"dynamo":    {names: 10, methods: 6},
	"localdata": {names: 4, methods: 3},
}

// exported is a package's public API as go doc shows it.
type exported struct {
	names, methods []string
	// decls is the source text of every exported declaration.
	decls    []string
	examples int
}

func readAPI(t *testing.T, dir string) exported {
	t.Helper()
	fset := token.NewFileSet()
	var files, tests []*ast.File
	ents, err := filepath.Glob(filepath.Join("..", "..", dir, "*.go"))
	if err != nil || len(ents) == 0 {
		t.Fatalf("no Go files in %s: %v", dir, err)
	}
	for _, name := range ents {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "_test.go") {
			tests = append(tests, f)
		} else {
			files = append(files, f)
		}
	}
	p, err := doc.NewFromFiles(fset, files, "example.com/"+dir)
	if err != nil {
		t.Fatal(err)
	}
	var api exported
	values := func(vs []*doc.Value) {
		for _, v := range vs {
			api.names = append(api.names, v.Names...)
			api.decls = append(api.decls, text(fset, v.Decl))
		}
	}
	funcs := func(fs []*doc.Func, methods bool) {
		for _, f := range fs {
			if methods {
				api.methods = append(api.methods, f.Recv+"."+f.Name)
			} else {
				api.names = append(api.names, f.Name)
			}
			api.decls = append(api.decls, text(fset, f.Decl))
		}
	}
	values(p.Consts)
	values(p.Vars)
	funcs(p.Funcs, false)
	for _, ty := range p.Types {
		api.names = append(api.names, ty.Name)
		api.decls = append(api.decls, text(fset, ty.Decl))
		values(ty.Consts)
		values(ty.Vars)
		funcs(ty.Funcs, false)
		funcs(ty.Methods, true)
	}
	api.examples = len(doc.Examples(tests...))
	return api
}

func text(fset *token.FileSet, n ast.Node) string {
	var b strings.Builder
	_ = printer.Fprint(&b, fset, n)
	return b.String()
}

func TestThePublicPackagesStaySmall(t *testing.T) {
	t.Parallel()
	for dir, max := range publicAPI {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			api := readAPI(t, dir)
			if len(api.names) > max.names {
				t.Errorf("%s exports %d names, more than the %d set in publicAPI: %s", dir, len(api.names), max.names, strings.Join(sorted(api.names), " "))
			}
			if len(api.methods) > max.methods {
				t.Errorf("%s exports %d methods, more than the %d set in publicAPI: %s", dir, len(api.methods), max.methods, strings.Join(sorted(api.methods), " "))
			}
			t.Logf("%s: %d names, %d methods", dir, len(api.names), len(api.methods))
		})
	}
}

func TestThePublicPackagesExportNoVariableAndNoYAMLNode(t *testing.T) {
	t.Parallel()
	for dir := range publicAPI {
		api := readAPI(t, dir)
		for _, d := range api.decls {
			if strings.HasPrefix(d, "var ") || strings.HasPrefix(d, "var(") {
				t.Errorf("%s exports a variable, which running code could read while anyone changes it: %s", dir, firstLine(d))
			}
			if strings.Contains(d, "yaml.") {
				t.Errorf("%s shows a YAML library type in its API: %s", dir, firstLine(d))
			}
		}
	}
}

func TestEachPublicPackageHasARunnableExample(t *testing.T) {
	t.Parallel()
	for dir := range publicAPI {
		if api := readAPI(t, dir); api.examples == 0 {
			t.Errorf("%s has no Example function: go doc shows a library by its examples", dir)
		}
	}
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
