package mapper_test

import (
	"context"
	"log/slog"
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
			_, fs := loaded(mapper.Load([]byte("version: 1\nclaims:\n  c:\n    const: "+tt.value+"\n"), mapper.LoadOptions{File: "m.yaml"}))
			err := config.Errors(fs)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "m.yaml:4:") {
				t.Errorf("err = %v\nwant it at line 4 to contain %q", err, tt.want)
			}
		})
	}
}

func TestANullConstantIsWarnedAbout(t *testing.T) {
	t.Parallel()
	mp, fs := loaded(mapper.Load([]byte("version: 1\nclaims:\n  c: { const: null }\n"), mapper.LoadOptions{File: "m.yaml"}))
	if mp == nil || len(fs) != 1 || fs[0].Rule != "const-value" || fs[0].Severity != config.SevWarning {
		t.Errorf("findings = %v", fs)
	}
}

func TestAliasesCannotBlowUpTheMapping(t *testing.T) {
	t.Parallel()
	src := "version: 1\nclaims:\n  a: { const: &a [x, x, x, x, x, x, x, x, x, x] }\n"
	for i, name := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		prev := string(rune('a' + i))
		src += "  " + name + ": { const: &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "] }\n"
	}
	_, fs := loaded(mapper.Load([]byte(src), mapper.LoadOptions{File: "m.yaml"}))
	err := config.Errors(fs)
	if err == nil || !strings.Contains(err.Error(), "expand to more than 100000 parts through YAML aliases") {
		t.Fatalf("err = %v", err)
	}
}

// TestAliasesCannotRepeatALongText: an alias repeats its anchor's text as
// often as it is written, so a list of a thousand aliases of a 100 KB text
// is 100 MB of claims from a file of a few hundred KB, and forty claims of
// that list exhaust any function's memory at every sign-in. The text that
// aliases repeat is bounded, and the finding says where.
func TestAliasesCannotRepeatALongText(t *testing.T) {
	t.Parallel()
	src := "version: 1\nclaims:\n  a: { const: &a \"" + strings.Repeat("x", 100_000) + "\" }\n" +
		"  l: { const: [" + strings.Repeat("*a, ", 20) + "*a] }\n"
	mp, fs := loaded(mapper.Load([]byte(src), mapper.LoadOptions{File: "m.yaml"}))
	err := config.Errors(fs)
	if mp != nil || err == nil || !strings.Contains(err.Error(), "m.yaml:4:") || !strings.Contains(err.Error(), "through YAML aliases") {
		t.Fatalf("err = %v", err)
	}
	keys := "version: 1\nclaims:\n  a: { const: &a \"" + strings.Repeat("x", 100_000) + "\" }\n" +
		"  l: { const: [" + strings.Repeat("{*a: 1}, ", 20) + "{*a: 1}] }\n"
	if _, fs := loaded(mapper.Load([]byte(keys), mapper.LoadOptions{File: "m.yaml"})); config.Errors(fs) == nil || !strings.Contains(config.Errors(fs).Error(), "through YAML aliases") {
		t.Fatalf("keys: err = %v", config.Errors(fs))
	}
	// An alias of a short text, or a long text written once, still loads.
	ok := "version: 1\nclaims:\n  a: { const: &a \"" + strings.Repeat("x", 100_000) + "\" }\n" +
		"  b: { const: &b [x, y] }\n  l: { const: [" + strings.Repeat("*b, ", 50) + "*b] }\n"
	if _, fs := loaded(mapper.Load([]byte(ok), mapper.LoadOptions{File: "m.yaml"})); config.Errors(fs) != nil {
		t.Fatal(config.Errors(fs))
	}
}

func TestATimeInsideAListSaysHowToWriteIt(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	mp, fs := loaded(mapper.Load([]byte("version: 1\nclaims:\n  at: '[now()]'\n"), mapper.LoadOptions{File: "m.yaml", Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}))
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
