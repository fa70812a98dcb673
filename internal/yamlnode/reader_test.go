package yamlnode_test

import (
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// read parses src and runs f on its top node with a Reader that records
// each problem as "line:col path [kind] message".
func read(t *testing.T, src string, f func(r yamlnode.Reader, n *yaml.Node)) []string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	var got []string
	r := yamlnode.Reader{Report: func(n *yaml.Node, path, kind, msg string) {
		got = append(got, fmt.Sprintf("%d:%d %s [%s] %s", n.Line, n.Column, path, kind, msg))
	}}
	f(r, doc.Content[0])
	return got
}

func TestReaderExplainsWhatIsWrong(t *testing.T) {
	t.Parallel()
	field := func(key string, f func(r yamlnode.Reader, n *yaml.Node)) func(yamlnode.Reader, *yaml.Node) {
		return func(r yamlnode.Reader, n *yaml.Node) { f(r, r.Object(n, "", nil)[key].Val) }
	}
	for _, tt := range []struct {
		name, src string
		read      func(yamlnode.Reader, *yaml.Node)
		want      string
	}{
		{"a list where keys are expected", "[a, b]\n",
			func(r yamlnode.Reader, n *yaml.Node) { r.Object(n, "", []string{"a"}) },
			`1:1  [type] the mapping should be a set of "key: value" lines, not a list`},
		{"a key that is a list", "[a]: 1\n",
			func(r yamlnode.Reader, n *yaml.Node) { r.Object(n, "", nil) },
			`1:1  [type] a key in the mapping should be a plain name`},
		{"a key written twice", "a: 1\na: 2\n",
			func(r yamlnode.Reader, n *yaml.Node) { r.Object(n, "", nil) },
			`2:1 a [duplicate-key] "a" is written twice in the mapping (first at line 1); keep one`},
		{"a misspelt key", "tabel: T\n",
			func(r yamlnode.Reader, n *yaml.Node) { r.Object(n, "", []string{"table", "key"}) },
			`1:1 tabel [unknown-key] unknown key "tabel" in the mapping (did you mean "table"?); allowed keys: table, key`},
		{"a name written twice in an ordered section", "claims:\n  a: 1\n  a: 2\n",
			field("claims", func(r yamlnode.Reader, n *yaml.Node) { r.Ordered(n, "claims") }),
			`3:3 claims.a [duplicate-key] "a" is written twice in claims (first at line 2); keep one`},
		{"an empty value where text is expected", "table:\n",
			field("table", func(r yamlnode.Reader, n *yaml.Node) { r.Str(n, "table") }),
			`1:7 table [type] table should be text, not empty`},
		{"a fraction where a whole number is expected", "limit: 1.5\n",
			field("limit", func(r yamlnode.Reader, n *yaml.Node) { r.Int(n, "limit") }),
			`1:8 limit [type] limit should be a whole number, not the number 1.5`},
		{"yes where true or false is expected", "consistentRead: yes\n",
			field("consistentRead", func(r yamlnode.Reader, n *yaml.Node) { r.Bool(n, "consistentRead") }),
			`1:17 consistentRead [type] consistentRead should be true or false, not the text "yes"`},
		{"a negative duration", "timeout: -1s\n",
			field("timeout", func(r yamlnode.Reader, n *yaml.Node) { r.Duration(n, "timeout") }),
			`1:10 timeout [type] timeout should be a positive duration such as 500ms or 2s, not "-1s"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := read(t, tt.src, tt.read)
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("problems = %q\nwant      %q", got, tt.want)
			}
		})
	}
}

func TestJoinQuotesKeysThatAreNotNames(t *testing.T) {
	t.Parallel()
	for _, tt := range [][3]string{
		{"", "claims", "claims"},
		{"claims", "tier", "claims.tier"},
		{"claims", "custom:tier", `claims["custom:tier"]`},
		{"tables", "1st", `tables["1st"]`},
	} {
		if got := yamlnode.Join(tt[0], tt[1]); got != tt[2] {
			t.Errorf("Join(%q, %q) = %q, want %q", tt[0], tt[1], got, tt[2])
		}
	}
	if strings.Contains(yamlnode.DidYouMean("zzzzzz", []string{"table"}), "did you mean") {
		t.Error("a word far from every candidate got a suggestion")
	}
}
