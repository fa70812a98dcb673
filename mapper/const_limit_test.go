package mapper_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// angles is 20,000 characters that JSON writes as \u003c, 120,002 bytes
// once quoted: a const: list of n copies of it (aliases) is about 120 KB
// times n in a token.
var angles = strings.Repeat("<", 20_000)

// aliasList is a const: list of n copies of angles, the first anchored
// as anchor (when set) and the rest aliases of it.
func aliasList(anchor string, n int) string {
	var b strings.Builder
	for i := range n {
		if i == 0 && anchor != "" {
			fmt.Fprintf(&b, "      - &%s \"%s\"\n", anchor, angles)
			continue
		}
		b.WriteString("      - *t\n")
	}
	return b.String()
}

// constFindings loads src and returns every finding, errors and warnings.
func constFindings(t *testing.T, src string, env map[string]string) []config.Finding {
	t.Helper()
	var allow []string
	for k := range env {
		allow = append(allow, k)
	}
	_, fs := loaded(mapper.Load([]byte(src), mapper.LoadOptions{File: "mapping.yaml", Logger: slog.New(slog.DiscardHandler),
		Env: config.Env{Allow: allow, Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}}))
	return fs
}

// TestAConstantThatCannotFitIsALoadError: a const: past the 1 MiB a
// claim's value may be failed its claim at every sign-in, with nothing at
// load to say so. Lint (which is Load) now refuses it where it is written,
// and warns where the const: values together pass what one sign-in's
// values may take.
func TestAConstantThatCannotFitIsALoadError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		env       map[string]string
		want      []string // findings, as rule@line:col severity, in order
	}{
		{"a list of ten 120 KB texts is refused",
			"version: 1\nclaims:\n  ok: '\"fine\"'\n  big:\n    const:\n" + aliasList("t", 10),
			nil, []string{"over-limit@6:7 error"}},
		{"eight of them fit",
			"version: 1\nclaims:\n  big:\n    const:\n" + aliasList("t", 8),
			nil, nil},
		{"a when does not make it fit",
			"version: 1\nclaims:\n  big:\n    when: event.userName == \"x\"\n    const:\n" + aliasList("t", 10),
			nil, []string{"over-limit@6:7 error"}},
		{"three that fit alone do not fit together in two tokens: the third is warned about",
			"version: 1\nclaims:\n  a:\n    const:\n" + aliasList("t", 8) + "  b:\n    const:\n" + aliasList("", 8) +
				"  c:\n    const:\n" + aliasList("", 8),
			nil, []string{"over-limit@25:7 warning"}},
		{"under V1, in the ID token only, the fifth",
			"version: 1\ntriggerVersion: V1_0\nclaims:\n  a:\n    const:\n" + aliasList("t", 8) + "  b:\n    const:\n" + aliasList("", 8) +
				"  c:\n    const:\n" + aliasList("", 8) + "  d:\n    const:\n" + aliasList("", 8) + "  e:\n    const:\n" + aliasList("", 8),
			nil, []string{"over-limit@46:7 warning"}},
		{"a const filled from ${NAME} is measured once bound",
			"version: 1\nclaims:\n  big:\n    const: \"${BIG}\"\n",
			map[string]string{"BIG": strings.Repeat(angles, 10)}, []string{"over-limit@4:12 error"}},
		{"a const filled from ${NAME} that fits",
			"version: 1\nclaims:\n  big:\n    const: \"${BIG}\"\n",
			map[string]string{"BIG": angles}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, f := range constFindings(t, tt.src, tt.env) {
				if f.Rule == "size" || f.Rule == "v1-text" {
					continue // over 4 KB: deploy it from S3; V1 claims are text
				}
				got = append(got, fmt.Sprintf("%s@%d:%d %s", f.Rule, f.Pos.Line, f.Pos.Column, f.Severity))
				if f.Rule == "over-limit" && (f.File != "mapping.yaml" || !strings.Contains(f.Message, "; shorten") && !strings.Contains(f.Message, "; flatten it")) {
					t.Errorf("the finding %q does not say where or how to fix it", f)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

// TestTheWarningIsTrue: the claim the warning names is the first a V2
// sign-in leaves out, and those before it are issued.
func TestTheWarningIsTrue(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nclaims:\n  a:\n    const:\n"+aliasList("t", 8)+"  b:\n    const:\n"+aliasList("", 8)+
		"  c:\n    const:\n"+aliasList("", 8)+"  d: '\"small\"'\n", nil)
	ev, err := mapper.DecodeEvent(event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := mp.Evaluate(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"a": true, "b": true, "c": false, "d": true} {
		if _, got := r.AccessClaims[name]; got != want {
			t.Errorf("claim %s in the access token: %v, want %v", name, got, want)
		}
	}
}
