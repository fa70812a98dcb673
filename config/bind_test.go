package config_test

import (
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

// Binding fills the slots the parse left, once, and leaves the parsed
// mapping as it was: one parse serves every environment.
func TestBindFillsSlotsWithoutChangingTheParse(t *testing.T) {
	t.Parallel()
	src := []byte(`version: 1
sources:
  user: { table: "${T}", key: { userName: event.userName } }
  teams: { table: Teams, index: "by-${T}", query: { partition: { PK: event.userName } } }
claims:
  a: { const: "x-${T}" }
  b: { const: &anchor { text: "${T}", literal: "$${T}", list: ["${T}", 1] } }
  c: { const: *anchor }
  d: user.Name
`)
	m, fs := config.Parse("m.yaml", src, config.Options{})
	if err := config.Errors(fs); err != nil {
		t.Fatal(err)
	}
	if got := m.Vars(); len(got) != 1 || got[0] != "T" {
		t.Fatalf("Vars() = %v, want [T]", got)
	}
	// A value holding ${…} is text: it is never read as a reference again.
	env := func(v string) config.Env {
		return config.Env{Allow: []string{"T"}, Lookup: func(string) (string, bool) { return v, true }}
	}
	for _, v := range []string{"Users", "Users2"} {
		b, fs := m.Bind(env(v))
		if err := config.Errors(fs); err != nil {
			t.Fatal(err)
		}
		if b.Sources[0].Table != v || b.Sources[1].Index != "by-"+v || b.Sources[1].Table != "Teams" {
			t.Errorf("sources bound to %s: %q, %q, %q", v, b.Sources[0].Table, b.Sources[1].Table, b.Sources[1].Index)
		}
		if got := b.Claims[0].Const.Text; got != "x-"+v {
			t.Errorf("claims.a = %q", got)
		}
		for _, i := range []int{1, 2} {
			obj := b.Claims[i].Const
			if obj.Items[0].Text != v || obj.Items[1].Text != "${T}" || obj.Items[2].Items[0].Text != v {
				t.Errorf("claims[%d] = %q %q %q", i, obj.Items[0].Text, obj.Items[1].Text, obj.Items[2].Items[0].Text)
			}
		}
		if b.Claims[3] != m.Claims[3] {
			t.Error("a claim without references should be shared, not copied")
		}
	}
	if m.Sources[0].Table != "${T}" || m.Claims[0].Const.Text != "x-${T}" || m.Claims[1].Const.Items[0].Text != "${T}" {
		t.Error("binding changed the parsed mapping")
	}
	b, _ := m.Bind(env("${AWS_SECRET_ACCESS_KEY}"))
	if b.Claims[0].Const.Text != "x-${AWS_SECRET_ACCESS_KEY}" {
		t.Errorf("a value was expanded again: %q", b.Claims[0].Const.Text)
	}
	if again, fs := b.Bind(env("other")); again != b || fs != nil {
		t.Error("a bound mapping should bind to itself")
	}
}

// The findings about the environment come from Bind, at the reference.
func TestBindReportsWhereEachReferenceIs(t *testing.T) {
	t.Parallel()
	src := []byte("version: 1\nsources:\n  user: { table: \"pre-${NOT_SET}\", key: { userName: event.userName } }\nclaims:\n  a: { const: \"${AWS_SECRET_ACCESS_KEY}\" }\n  b: user.Name\n")
	m, fs := config.Parse("m.yaml", src, config.Options{})
	if err := config.Errors(fs); err != nil {
		t.Fatalf("a reference is no parse error: %v", err)
	}
	_, fs = m.Bind(config.Env{Allow: []string{"NOT_SET", "AWS_SECRET_ACCESS_KEY"}, Lookup: func(string) (string, bool) { return "", false }})
	want := map[string]string{"m.yaml:3:23": "env-unset", "m.yaml:5:16": "env-not-allowed"}
	for _, f := range fs {
		at := f.File + ":" + itoa(f.Pos.Line) + ":" + itoa(f.Pos.Column)
		if want[at] != f.Rule {
			t.Errorf("unexpected %s %s: %s", at, f.Rule, f.Message)
		}
		delete(want, at)
	}
	for at, rule := range want {
		t.Errorf("no %s finding at %s", rule, at)
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}
