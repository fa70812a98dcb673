package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestDiffAndTheInlineTestsJudgeAlike proves the one "same value" rule: for
// every pair of claim expressions and trigger version, diff reports no
// change from A to B exactly when an inline test on B that expects A's
// token value passes.
func TestDiffAndTheInlineTestsJudgeAlike(t *testing.T) {
	t.Parallel()
	exprs := []string{`1`, `"1"`, `1.0`, `true`, `"true"`, `[1, 2]`, `[2, 1]`, `["1", "2"]`, `{a: 1, b: "x"}`, `{b: "x", a: 1.0}`, `nil`, `""`}
	e := Env{Process: env()}
	ctx := context.Background()
	for _, version := range []string{"1", "2"} {
		raw := strings.Replace(string(changes.DefaultTemplate), `"version": "2"`, `"version": "`+version+`"`, 1)
		raw = strings.Replace(raw, `"userName": ""`, `"userName": "ben"`, 1)
		ev, err := mapper.DecodeEvent([]byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range exprs {
			mapping := func(code string) string { return "version: 1\nclaims:\n  x: " + quote(code) + "\n" }
			ma, err := Open("a.yaml", []byte(mapping(a)), Options{Env: e}).Mapper(nil, nil)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			r, err := ma.Evaluate(ctx, ev)
			if err != nil {
				t.Fatalf("%s: %v", a, err)
			}
			want, _ := json.Marshal(r.IDClaims["x"])
			for _, b := range exprs {
				name := fmt.Sprintf("V%s %s then %s", version, a, b)
				test := "tests:\n  - name: t\n    event: " + strings.Join(strings.Fields(raw), " ") + "\n    expect: { idTokenIncludes: { x: " + string(want) + " } }\n"
				before := Open("a.yaml", []byte(mapping(a)), Options{Env: e})
				after := Open("b.yaml", []byte(mapping(b)+test), Options{Env: e})
				if fs := config.Errors(after.Lint()); fs != nil {
					t.Fatalf("%s: %v", name, fs)
				}
				passed := after.RunTests(ctx, nil).Outcomes[0].Passed()
				rep, err := Compare(ctx, before, after, Comparison{Users: Users{Raw: [][]byte{[]byte(raw)}}})
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if unchanged := rep.Changed == 0; unchanged != passed {
					t.Errorf("%s: diff says unchanged=%v, the inline test says passed=%v", name, unchanged, passed)
				}
			}
		}
	}
}

func quote(code string) string { return "'" + strings.ReplaceAll(code, "'", "''") + "'" }
