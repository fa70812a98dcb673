package mapper

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

// constSpent loads src bound to env and returns the claim named name and
// a func that evaluates a V2 event and gives the bytes the evaluation
// charged.
func constSpent(t *testing.T, src string, env map[string]string, name string) (*claim, func() int) {
	t.Helper()
	var allow []string
	for k := range env {
		allow = append(allow, k)
	}
	mp, fs := loaded(Load([]byte(src), LoadOptions{File: "m.yaml", Env: config.Env{Allow: allow,
		Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}}))
	if err := config.Errors(fs); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../testdata/events/v2.json")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := DecodeEvent(raw)
	if err != nil {
		t.Fatal(err)
	}
	var c *claim
	for _, cl := range mp.claims {
		if cl.cfg.Name == name {
			c = cl
		}
	}
	bytes := 0
	mp.spent = func(_, b int) { bytes = b }
	return c, func() int {
		if _, err := mp.Evaluate(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
		return bytes
	}
}

// TestAConstantIsMeasuredWhenItLoads: a const: claim's size is measured
// once, when the mapping is compiled or bound, and each sign-in charges
// that size for each token the claim goes to, without walking the value
// again: a list of 10,000 texts, repeated by aliases, was walked at every
// sign-in, twice under V2.
func TestAConstantIsMeasuredWhenItLoads(t *testing.T) {
	texts := strings.TrimSuffix(strings.Repeat("\"a text of some length\", ", 100), ", ")
	items := "    - &l [" + texts + "]\n" + strings.Repeat("    - *l\n", 99)
	c, run := constSpent(t, "version: 1\nclaims:\n  big:\n    const:\n"+items, nil, "big")
	want, err := valueSize(c.constant, &defaultLimits)
	if err != nil || c.constSize != want || want < 10_000*20 {
		t.Fatalf("constSize %d (%v), want %d", c.constSize, err, want)
	}
	if got := run(); got != 2*want {
		t.Errorf("the sign-in charged %d bytes, want %d: one copy in each token", got, 2*want)
	}
	// The stored size is what is charged: the value is not measured again.
	c.constSize = 1000
	if got := run(); got != 2000 {
		t.Errorf("with the size stored as 1000, the sign-in charged %d bytes, want 2000", got)
	}
}

// TestABoundConstantIsMeasuredWhenItIsBound: a const: text that reads
// ${NAME} is measured with its value filled in.
func TestABoundConstantIsMeasuredWhenItIsBound(t *testing.T) {
	c, run := constSpent(t, "version: 1\nclaims:\n  t:\n    const: \"${NAME}\"\n    tokens: [id]\n",
		map[string]string{"NAME": strings.Repeat("x", 5000)}, "t")
	if c.constSize != 5002 {
		t.Errorf("constSize %d, want 5002 (the filled text, quoted)", c.constSize)
	}
	if got := run(); got != 5002 {
		t.Errorf("the sign-in charged %d bytes, want 5002", got)
	}
}
