package iampolicy_test

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/iampolicy"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// policyOptions name one region and account, so any "*" or "?" left in a
// resource came from the mapping.
var policyOptions = iampolicy.Options{Partition: "aws", Region: "eu-west-1", Account: "111111111111"}

// resource is the only shape a statement's resource may have: a table, or
// an index of one, each named by DynamoDB's rule.
var resource = regexp.MustCompile(`^arn:aws:dynamodb:eu-west-1:111111111111:table/[A-Za-z0-9_.-]{3,255}(/index/[A-Za-z0-9_.-]{3,255})?$`)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// load reads a mapping with every ${NAME} it references allowed and set to
// value.
func load(name string, src []byte, value string) (*mapper.Mapper, []config.Finding) {
	env := map[string]string{}
	var allow []string
	for _, m := range envRef.FindAllSubmatch(src, -1) {
		env[string(m[1])] = value
		allow = append(allow, string(m[1]))
	}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	return loaded(mapper.Load(src, mapper.LoadOptions{File: name, Env: config.Env{Lookup: lookup, Allow: allow}}))
}

// checkPolicy fails the test when a loaded mapping's policy has a resource
// that is not one table or one index.
func checkPolicy(t *testing.T, what string, mp *mapper.Mapper) {
	t.Helper()
	policy, _ := iampolicy.For(mp, policyOptions)
	for _, st := range policy.Statement {
		if strings.ContainsAny(st.Resource, "*?") || !resource.MatchString(st.Resource) {
			t.Errorf("%s: statement %s has resource %q, which is not one table or index", what, st.Sid, st.Resource)
		}
	}
}

// TestNoWildcardFromRepositoryMappings: every YAML file in the repository
// that loads as a mapping (its ${NAME}s set to a table name, and to "*")
// yields a policy whose every resource is one table or index.
func TestNoWildcardFromRepositoryMappings(t *testing.T) {
	t.Parallel()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	loaded := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || (!strings.HasSuffix(path, ".yaml") && !strings.HasSuffix(path, ".yml")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, value := range []string{"EnvTable", "*", "Users/index/*"} {
			mp, findings := load(rel, src, value)
			if config.Errors(findings) != nil || mp == nil {
				continue
			}
			loaded++
			checkPolicy(t, fmt.Sprintf("%s with every ${NAME} = %q", rel, value), mp)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if loaded < 10 {
		t.Errorf("only %d repository mappings loaded: the walk is not finding them", loaded)
	}
}

// hostileNames are what a contributor would try to widen the policy with.
var hostileNames = []string{
	"*", "?", "Users*", "Us?rs", "Tenants/index/*", "Tenants/*", "arn:aws:dynamodb:*:*:table/*",
	"table/*", "Users/index/byName", "..", "a", "ab", strings.Repeat("a", 256), "Users\n", "Users ",
	" Users", "Usérs", "Users\u200b", "Users${", "$${T}", "${T}x*", "*${T}",
}

// TestNoWildcardFromGeneratedMappings: hostile and random table and index
// names, written directly or through ${T}, either fail to load with a
// dynamo-name finding or yield a policy of single tables and indexes; a
// name loads exactly when DynamoDB would take it.
func TestNoWildcardFromGeneratedMappings(t *testing.T) {
	t.Parallel()
	names := append([]string{}, hostileNames...)
	r := rand.New(rand.NewPCG(21, 21))
	const alphabet = "abcXYZ019_.-*?/: $"
	for range 2000 {
		n := make([]byte, r.IntN(8)+1)
		for i := range n {
			n[i] = alphabet[r.IntN(len(alphabet))]
		}
		names = append(names, string(n))
	}
	valid := regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	for _, name := range names {
		quoted := fmt.Sprintf("%q", name)
		cases := map[string]string{
			"a table written in the mapping":  fmt.Sprintf("version: 1\nsources:\n  s:\n    table: %s\n    key: { id: event.userName }\nclaims:\n  a: s.a\n", quoted),
			"an index written in the mapping": fmt.Sprintf("version: 1\nsources:\n  s:\n    table: Users\n    index: %s\n    query: { partition: { pk: event.userName } }\nclaims:\n  a: s\n", quoted),
			"a table named through ${T}":      "version: 1\nsources:\n  s:\n    table: ${T}\n    key: { id: event.userName }\nclaims:\n  a: s.a\n",
			"an index named through ${T}":     "version: 1\nsources:\n  s:\n    table: Users\n    index: ${T}\n    query: { partition: { pk: event.userName } }\nclaims:\n  a: s\n",
		}
		for what, src := range cases {
			mp, findings := load("m.yaml", []byte(src), name)
			// A name with "$" may be a ${ reference of its own: only names
			// without one are held to "loads exactly when valid".
			wantLoad := valid.MatchString(name)
			loads := config.Errors(findings) == nil && mp != nil
			if loads {
				checkPolicy(t, fmt.Sprintf("%s %q", what, name), mp)
			}
			if loads != wantLoad && !strings.Contains(name, "$") {
				t.Errorf("%s %q: loads %v, want %v; findings %v", what, name, loads, wantLoad, findings)
			}
			if !loads && !wantLoad && !strings.Contains(name, "$") && !hasRule(findings, "dynamo-name") {
				t.Errorf("%s %q: refused without a dynamo-name finding: %v", what, name, findings)
			}
		}
	}
}

func hasRule(fs []config.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// loaded is every finding of mapper.Load with its Mapper, as the tests
// before Load returned an error read them.
func loaded(mp *mapper.Mapper, warnings []config.Finding, err error) (*mapper.Mapper, []config.Finding) {
	return mp, authoring.Findings(mp, warnings, err)
}
