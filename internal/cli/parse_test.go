package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	const usage = "Usage: x\n"
	tests := []struct {
		name                 string
		args                 []string
		interspersed         bool
		code                 int
		ok                   bool
		files                []string
		stdout, stderr, flag string
	}{
		{"help goes to stdout and stops with 0", []string{"-h"}, false, ExitOK, false, nil, usage, "", ""},
		{"an unknown flag is a usage error", []string{"--nope"}, false, ExitUsage, false, nil, "", "claimsmapper x: flag provided but not defined: -nope\n\n" + usage, ""},
		{"an argument is refused where none is taken", []string{"a.yaml"}, false, ExitUsage, false, nil, "", "claimsmapper x: unexpected argument \"a.yaml\"\n\n" + usage, ""},
		{"flags parse", []string{"--name", "v"}, false, 0, true, nil, "", "", "v"},
		{"flags may follow the files", []string{"a.yaml", "--name", "v", "b.yaml"}, true, 0, true, []string{"a.yaml", "b.yaml"}, "", "", "v"},
		{"a bad flag after a file is a usage error", []string{"a.yaml", "--nope"}, true, ExitUsage, false, nil, "", "claimsmapper x: flag provided but not defined: -nope\n\n" + usage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := NewSet("x")
			name := fs.String("name", "", "")
			var stdout, stderr bytes.Buffer
			var files []string
			var code int
			var ok bool
			if tt.interspersed {
				files, code, ok = ParseInterspersed(fs, tt.args, usage, &stdout, &stderr)
			} else {
				code, ok = Parse(fs, tt.args, usage, &stdout, &stderr)
			}
			if code != tt.code || ok != tt.ok || strings.Join(files, ",") != strings.Join(tt.files, ",") || *name != tt.flag {
				t.Errorf("code %d ok %v files %q flag %q", code, ok, files, *name)
			}
			if stdout.String() != tt.stdout || stderr.String() != tt.stderr {
				t.Errorf("stdout %q\nstderr %q", stdout.String(), stderr.String())
			}
		})
	}
}

func TestParseOneFile(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"a", "b"}} {
		fs, _ := NewSetWithEnv("x")
		var stderr bytes.Buffer
		if _, code, ok := ParseOneFile(fs, args, "U\n", "name one", &bytes.Buffer{}, &stderr); ok || code != ExitUsage || stderr.String() != "name one\n\nU\n" {
			t.Errorf("%q: code %d ok %v stderr %q", args, code, ok, stderr.String())
		}
	}
	fs, env := NewSetWithEnv("x")
	file, code, ok := ParseOneFile(fs, []string{"m.yaml", "--env", "A=1"}, "U\n", "name one", &bytes.Buffer{}, &bytes.Buffer{})
	if !ok || code != 0 || file != "m.yaml" || env["A"] != "1" {
		t.Errorf("file %q code %d ok %v env %v", file, code, ok, env)
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	var s Strings
	s.Set("a")
	s.Set("b,c")
	if s.String() != "a,b,c" || len(s) != 2 {
		t.Errorf("%q", s)
	}
}

func TestOneOf(t *testing.T) {
	t.Parallel()
	if err := OneOf("--format", "json", "text", "json"); err != nil {
		t.Error(err)
	}
	for _, tt := range []struct {
		allowed []string
		want    string
	}{
		{[]string{"text"}, `--format should be text, not "xml"`},
		{[]string{"text", "junit"}, `--format should be text or junit, not "xml"`},
		{[]string{"text", "json", "markdown"}, `--format should be text, json or markdown, not "xml"`},
	} {
		if err := OneOf("--format", "xml", tt.allowed...); err == nil || err.Error() != tt.want {
			t.Errorf("%v: %v, want %q", tt.allowed, err, tt.want)
		}
	}
}
