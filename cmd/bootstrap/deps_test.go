package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// linked is every package outside the standard library that the function
// may link. Each costs every cold start: the bytes Lambda loads, the package
// initialisers it runs before the first event. A package that is not here
// fails TestLinksOnlyWhatTheFunctionNeeds until someone decides it belongs
// in the function (add it here, and say why in the commit) or keeps it out.
var linked = []string{
	"github.com/claimsmapper/claimsmapper/cmd/bootstrap",
	"github.com/claimsmapper/claimsmapper/config",
	"github.com/claimsmapper/claimsmapper/dynamo",
	"github.com/claimsmapper/claimsmapper/internal/awsapi",
	"github.com/claimsmapper/claimsmapper/internal/dynval",
	"github.com/claimsmapper/claimsmapper/internal/jsontext",
	"github.com/claimsmapper/claimsmapper/internal/lambda",
	"github.com/claimsmapper/claimsmapper/internal/loadcount",
	// config's parse hands the tests: section to the author's tools through
	// it: a struct type and a function value, no initialiser of weight.
	"github.com/claimsmapper/claimsmapper/internal/mappingdoc",
	"github.com/claimsmapper/claimsmapper/internal/mappingfile",
	"github.com/claimsmapper/claimsmapper/internal/signing",
	"github.com/claimsmapper/claimsmapper/internal/yamlnode",
	"github.com/claimsmapper/claimsmapper/mapper",

	// The invocation's context (request id); internal/lambda speaks the
	// runtime API itself (runtime.go).
	"github.com/aws/aws-lambda-go/lambdacontext",

	// The mapping: YAML and expressions.
	"go.yaml.in/yaml/v3",
	"github.com/expr-lang/expr",
	"github.com/expr-lang/expr/ast",
	"github.com/expr-lang/expr/builtin",
	"github.com/expr-lang/expr/checker",
	"github.com/expr-lang/expr/checker/nature",
	"github.com/expr-lang/expr/compiler",
	"github.com/expr-lang/expr/conf",
	"github.com/expr-lang/expr/file",
	"github.com/expr-lang/expr/internal/deref",
	"github.com/expr-lang/expr/internal/ring",
	"github.com/expr-lang/expr/optimizer",
	"github.com/expr-lang/expr/parser",
	"github.com/expr-lang/expr/parser/lexer",
	"github.com/expr-lang/expr/parser/operator",
	"github.com/expr-lang/expr/parser/utils",
	"github.com/expr-lang/expr/patcher",
	"github.com/expr-lang/expr/types",
	"github.com/expr-lang/expr/vm",
	"github.com/expr-lang/expr/vm/runtime",

	// From the AWS SDK, only what internal/awsapi uses: the credentials
	// type, the Signature Version 4 signer and the standard retryer. Never
	// a service client: expr keeps every exported method of every type the
	// binary can reach, so a service client brings all of its operations.
	"github.com/aws/aws-sdk-go-v2/aws",
	"github.com/aws/aws-sdk-go-v2/aws/middleware",
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit",
	"github.com/aws/aws-sdk-go-v2/aws/retry",
	"github.com/aws/aws-sdk-go-v2/aws/signer/internal/v4",
	"github.com/aws/aws-sdk-go-v2/aws/signer/v4",
	"github.com/aws/aws-sdk-go-v2/internal/auth",
	"github.com/aws/aws-sdk-go-v2/internal/context",
	"github.com/aws/aws-sdk-go-v2/internal/rand",
	"github.com/aws/aws-sdk-go-v2/internal/sdk",
	"github.com/aws/aws-sdk-go-v2/internal/strings",
	"github.com/aws/aws-sdk-go-v2/internal/sync/singleflight",
	"github.com/aws/aws-sdk-go-v2/internal/timeconv",
	"github.com/aws/smithy-go",
	"github.com/aws/smithy-go/auth",
	"github.com/aws/smithy-go/auth/bearer",
	"github.com/aws/smithy-go/context",
	"github.com/aws/smithy-go/document",
	"github.com/aws/smithy-go/encoding/httpbinding",
	"github.com/aws/smithy-go/eventstream",
	"github.com/aws/smithy-go/internal/sync/singleflight",
	"github.com/aws/smithy-go/logging",
	"github.com/aws/smithy-go/metrics",
	"github.com/aws/smithy-go/middleware",
	"github.com/aws/smithy-go/ptr",
	"github.com/aws/smithy-go/rand",
	"github.com/aws/smithy-go/sync",
	"github.com/aws/smithy-go/time",
	"github.com/aws/smithy-go/tracing",
	"github.com/aws/smithy-go/traits",
	"github.com/aws/smithy-go/transport/http",
	"github.com/aws/smithy-go/transport/http/internal/io",
}

// refused are packages the function must never link, named so that the
// test says what went wrong in words: the authoring side of the product and
// what only it uses. They are also kept out by not being in linked; this
// list guards the guard.
var refused = []string{
	"github.com/claimsmapper/claimsmapper/cmd/claimsmapper",
	"github.com/claimsmapper/claimsmapper/internal/awsconfig",
	"github.com/claimsmapper/claimsmapper/internal/changes",
	"github.com/claimsmapper/claimsmapper/internal/cli",
	"github.com/claimsmapper/claimsmapper/internal/golden",
	"github.com/claimsmapper/claimsmapper/internal/iampolicy",
	"github.com/claimsmapper/claimsmapper/internal/inlinetest",
	"github.com/claimsmapper/claimsmapper/internal/lint",
	"github.com/claimsmapper/claimsmapper/internal/preview",
	"github.com/claimsmapper/claimsmapper/internal/publish",
	"github.com/claimsmapper/claimsmapper/internal/studio",
	"github.com/claimsmapper/claimsmapper/internal/workspace",
	"github.com/claimsmapper/claimsmapper/internal/testenv",
	"github.com/claimsmapper/claimsmapper/localdata",
	"github.com/chromedp/chromedp",
	"github.com/johannesboyne/gofakes3",
	// The SDK's service clients and its configuration chain: the CLI's.
	"github.com/aws/aws-sdk-go-v2/config",
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds",
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue",
	"github.com/aws/aws-sdk-go-v2/service/dynamodb",
	"github.com/aws/aws-sdk-go-v2/service/s3",
	"github.com/aws/aws-sdk-go-v2/service/sso",
	"github.com/aws/aws-sdk-go-v2/service/ssooidc",
	"github.com/aws/aws-sdk-go-v2/service/sts",
	// Standard packages that have no business in a sign-in: files baked
	// into the binary, running programs, HTML templates, profiling pages.
	"embed",
	"os/exec",
	"html/template",
	"net/http/pprof",
}

// TestLinksOnlyWhatTheFunctionNeeds lists what the function links, as
// `make package` builds it for each architecture Lambda runs, and fails on
// any package outside the standard library that is not in linked, or any
// refused one, with the chain of imports that brought it in.
func TestLinksOnlyWhatTheFunctionNeeds(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	t.Parallel()
	for _, arch := range []string{"arm64", "amd64"} {
		t.Run("on linux/"+arch, func(t *testing.T) {
			t.Parallel()
			pkgs := listDeps(t, arch)
			allowed := map[string]bool{}
			for _, p := range linked {
				allowed[p] = true
			}
			for _, p := range refused {
				if pkgs[p] != nil {
					t.Errorf("the function links %s, which it must never: %s", p, importChain(pkgs, p))
				}
			}
			for path, p := range pkgs {
				if !p.Standard && !allowed[path] && !slices.Contains(refused, path) {
					t.Errorf("the function links %s, which is not in the allowlist (cmd/bootstrap/deps_test.go): %s", path, importChain(pkgs, path))
				}
			}
			for _, p := range linked {
				if pkgs[p] == nil {
					t.Errorf("%s is in the allowlist but no longer linked: take it out", p)
				}
			}
		})
	}
}

// TestBuiltWithTheTagsTheTestsUse holds make package's build tags to the
// ones the tests build and list the function with.
func TestBuiltWithTheTagsTheTestsUse(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if want := "LAMBDA_TAGS := " + testenv.LambdaTags + "\n"; !strings.Contains(string(mk), want) {
		t.Errorf("the Makefile lacks %q: keep it and internal/testenv.LambdaTags the same", want)
	}
}

// TestAllowlistAndRefusedDoNotOverlap keeps the two lists honest.
func TestAllowlistAndRefusedDoNotOverlap(t *testing.T) {
	t.Parallel()
	for _, p := range refused {
		if slices.Contains(linked, p) {
			t.Errorf("%s is both allowed and refused", p)
		}
	}
}

type goPackage struct {
	ImportPath string
	Standard   bool
	Imports    []string
}

// listDeps runs go list -deps for this package as make package builds it.
func listDeps(t *testing.T, arch string) map[string]*goPackage {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	cmd := exec.Command(goBin, "list", "-deps", "-tags", testenv.LambdaTags, "-json=ImportPath,Standard,Imports", ".")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	pkgs := map[string]*goPackage{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		p := new(goPackage)
		if err := dec.Decode(p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs[p.ImportPath] = p
	}
	return pkgs
}

// importChain is the shortest chain of imports from this package to target.
func importChain(pkgs map[string]*goPackage, target string) string {
	const root = "github.com/claimsmapper/claimsmapper/cmd/bootstrap"
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == target {
			var chain []string
			for p := cur; p != ""; p = prev[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			return strings.Join(chain, " → ")
		}
		if pkgs[cur] == nil {
			continue
		}
		for _, imp := range pkgs[cur].Imports {
			if _, seen := prev[imp]; !seen {
				prev[imp] = cur
				queue = append(queue, imp)
			}
		}
	}
	return "imported by no package on the way (vendor/ or a test)"
}
