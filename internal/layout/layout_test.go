package layout_test

import (
	"bufio"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// root is the repository, from this package's folder.
const root = "../.."

// skipped are folders that hold no Go package of this module: another
// module (bench), npm's and the tests' files.
var skipped = map[string]bool{"node_modules": true, "testdata": true, "bench": true, "out": true}

// layoutRows reads the README's layout table: each row's folders, in the
// order the table lists them.
func layoutRows(t *testing.T) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	folder := regexp.MustCompile("`([^`]+)/`")
	var rows [][]string
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "## Layout":
			in = true
		case in && strings.HasPrefix(line, "## "):
			in = false
		case in && strings.HasPrefix(line, "| `"):
			cell := strings.SplitN(line, "|", 3)[1]
			var row []string
			for _, m := range folder.FindAllStringSubmatch(cell, -1) {
				row = append(row, m[1])
			}
			rows = append(rows, row)
		}
	}
	if len(rows) == 0 {
		t.Fatal("README.md has no layout table under ## Layout")
	}
	return rows
}

// goPackages lists the folders that hold Go files of this module, with the
// module's packages each imports outside its tests.
func goPackages(t *testing.T, module string) map[string][]string {
	t.Helper()
	pkgs := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != root && (skipped[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		dir, _ := filepath.Rel(root, filepath.Dir(p))
		dir = filepath.ToSlash(dir)
		if _, ok := pkgs[dir]; !ok {
			pkgs[dir] = nil
		}
		if strings.HasSuffix(p, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			ip, _ := strconv.Unquote(imp.Path.Value)
			if rel, ok := strings.CutPrefix(ip, module+"/"); ok && !slices.Contains(pkgs[dir], rel) {
				pkgs[dir] = append(pkgs[dir], rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func modulePath(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if m, ok := strings.CutPrefix(line, "module "); ok {
			return strings.TrimSpace(m)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

// rowOf is the row of the table whose folder holds dir (the longest that
// does), or -1.
func rowOf(rows [][]string, dir string) (int, string) {
	best, at := "", -1
	for i, row := range rows {
		for _, f := range row {
			if (dir == f || strings.HasPrefix(dir, f+"/")) && len(f) > len(best) {
				best, at = f, i
			}
		}
	}
	return at, best
}

func TestTheLayoutTableListsTheFoldersThereAre(t *testing.T) {
	t.Parallel()
	rows := layoutRows(t)
	for _, row := range rows {
		for _, f := range row {
			if st, err := os.Stat(filepath.Join(root, f)); err != nil || !st.IsDir() {
				t.Errorf("the README's layout table lists %s/, which is not a folder", f)
			}
		}
	}
	for dir := range goPackages(t, modulePath(t)) {
		if i, _ := rowOf(rows, dir); i < 0 && dir != "." {
			t.Errorf("%s/ holds Go code but no row of the README's layout table covers it", dir)
		}
	}
}

func TestEachFolderImportsOnlyThoseListedAboveIt(t *testing.T) {
	t.Parallel()
	rows := layoutRows(t)
	for dir, imports := range goPackages(t, modulePath(t)) {
		i, folder := rowOf(rows, dir)
		if i < 0 {
			continue // the test above reports it
		}
		for _, imp := range imports {
			j, impFolder := rowOf(rows, imp)
			if impFolder == folder || path.Dir(imp) == dir {
				continue // within one folder of the table
			}
			if j < 0 || j >= i {
				t.Errorf("%s imports %s, which the README's layout table lists %s; each folder may use only those listed above it: move the row, or the dependency",
					dir, imp, map[bool]string{true: "on the same row", false: "below it"}[j == i])
			}
		}
	}
}
