package mapper_test

import (
	"context"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestLargeWholeNumbersKeepEveryDigit(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nclaims:\n  n: { const: 9223372036854775807 }\n  m: { const: -9223372036854775808 }\n", nil)
	out, err := mp.Handle(context.Background(), event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"n":9223372036854775807`, `"m":-9223372036854775808`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("response lacks %s:\n%s", want, out)
		}
	}
}

func TestConstantsThatMeanDifferentThingsToDifferentReadersAreRefused(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, value, want string }{
		{"a leading zero", "017", "017 starts with 0, which some YAML readers take as octal; write 17 for the number, or quote it ('017')"},
		{"hexadecimal", "0x1F", "write it in plain decimal, or quote it ('0x1F')"},
		{"underscores", "1_000", "write it in plain decimal"},
		{"a whole number too large", "12345678901234567890", "12345678901234567890 is too large for a whole number (at most 9223372036854775807); quote it ('12345678901234567890')"},
		{"infinity", ".inf", "not a finite number"},
		{"not a number", ".nan", "not a finite number"},
		{"a custom tag", "!thing 3", "the tag !thing is not one this file understands"},
		{"a recursive alias", "&a [*a]", "refers to itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, fs := mapper.Load([]byte("version: 1\nclaims:\n  c:\n    const: "+tt.value+"\n"), mapper.LoadOptions{File: "m.yaml"})
			err := config.Errors(fs)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "m.yaml:4:") {
				t.Errorf("err = %v\nwant it at line 4 to contain %q", err, tt.want)
			}
		})
	}
}

func TestANullConstantIsWarnedAbout(t *testing.T) {
	t.Parallel()
	mp, fs := mapper.Load([]byte("version: 1\nclaims:\n  c: { const: null }\n"), mapper.LoadOptions{File: "m.yaml"})
	if mp == nil || len(fs) != 1 || fs[0].Rule != "const-value" || fs[0].Severity != config.SevWarning {
		t.Errorf("findings = %v", fs)
	}
}

func TestKeysCompareAsDynamoDBComparesThem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b any
		want int
		ok   bool
	}{
		{int64(1), 1.0, 0, true},
		{int64(9007199254740993), float64(9007199254740992), 1, true},
		{1, int64(2), -1, true},
		{int64(2), int64(10), -1, true},
		{int64(-9223372036854775808), int64(9223372036854775807), -1, true},
		{2.5, -1.5, 1, true},
		{math.Copysign(0, -1), 0.0, 0, true},
		{math.Inf(1), 1e308, 1, true},
		{math.NaN(), 1.0, 0, false},
		{1.0, math.NaN(), 0, false},
		{"a", "b", -1, true},
		{"Z", "a", -1, true},
		{"é", "z", 1, true},
		{"1", int64(1), 0, false},
		{nil, nil, 0, false},
	}
	for _, tt := range tests {
		c, ok := mapper.CompareKeys(tt.a, tt.b)
		if c != tt.want || ok != tt.ok {
			t.Errorf("CompareKeys(%#v, %#v) = %d, %v; want %d, %v", tt.a, tt.b, c, ok, tt.want, tt.ok)
		}
	}
}

func TestSetsAreSorted(t *testing.T) {
	t.Parallel()
	got := mapper.Set([]any{int64(10), 2.5, int64(-1)})
	if jsonText(got) != `[-1,2.5,10]` {
		t.Errorf("got %s", jsonText(got))
	}
	got = mapper.Set([]any{"b", "B", "a"})
	if jsonText(got) != `["B","a","b"]` {
		t.Errorf("got %s", jsonText(got))
	}
}

func TestAliasesCannotBlowUpTheMapping(t *testing.T) {
	t.Parallel()
	src := "version: 1\nclaims:\n  a: { const: &a [x, x, x, x, x, x, x, x, x, x] }\n"
	for i, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		prev := string(rune('a' + i))
		src += "  " + name + ": { const: &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "] }\n"
	}
	_, fs := mapper.Load([]byte(src), mapper.LoadOptions{File: "m.yaml"})
	err := config.Errors(fs)
	if err == nil || !strings.Contains(err.Error(), "expand to more than 100000 parts through YAML aliases") {
		t.Fatalf("err = %v", err)
	}
}

func TestATimeInsideAListSaysHowToWriteIt(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	mp, fs := mapper.Load([]byte("version: 1\nclaims:\n  at: '[now()]'\n"), mapper.LoadOptions{File: "m.yaml", Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if mp == nil {
		t.Fatal(fs)
	}
	if _, err := mp.Handle(context.Background(), event(t, "v2")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "date and time (write it as text with string(...)") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestDynamoDBNumbersAreReadAsTheyAreMeant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     any
	}{
		{"a whole number is int64", "42", int64(42)},
		{"a whole number in exponent form is int64", "1E+3", int64(1000)},
		{"a whole number written with a fraction is int64", "-7.0", int64(-7)},
		{"a fraction is float64", "4.5", 4.5},
		{"a whole number beyond int64 is float64", "1E+125", 1e125},
		{"the smallest number DynamoDB keeps is float64", "1E-130", 1e-130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := mapper.Number(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("Number(%q) = %#v, %v; want %#v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestTextThatIsNoFiniteNumberIsRefusedAsANumber(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "abc", "NaN", "Infinity", "-Inf", "1e400"} {
		t.Run("refuses "+in, func(t *testing.T) {
			t.Parallel()
			got, err := mapper.Number(in)
			if err == nil || !strings.Contains(err.Error(), "is not a number") {
				t.Errorf("Number(%q) = %#v, %v; want an error that says it is not a number", in, got, err)
			}
		})
	}
}
