package cli

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestEnvAndVersionFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		// env and version are what the flags hold after a good parse.
		env, version string
		// err is a substring of the parse error; "" means none.
		err string
	}{
		{"--env is repeatable", []string{"--env", "A=1", "--env", "B=x=y"}, "A=1,B=x=y", "", ""},
		{"an empty value is a value", []string{"--env", "A="}, "A=", "", ""},
		{"the same value twice is fine", []string{"--env", "A=1", "--env", "A=1"}, "A=1", "", ""},
		{"two values for one name are refused", []string{"--env", "A=1", "--env", "A=2"}, "", "", `A is given twice ("1" and "2")`},
		{"a name without a value is refused", []string{"--env", "TABLE_NAME"}, "", "", "should be NAME=VALUE"},
		{"a name with a space is refused", []string{"--env", "TABLE NAME=x"}, "", "", "is not a variable name"},
		{"--version takes 1, 2 or 3", []string{"--version", "3"}, "", "3", ""},
		{"--version takes the pool's setting too", []string{"--version", "v2_0"}, "", "2", ""},
		{"--version refuses anything else", []string{"--version", "2.0"}, "", "", `"2.0" is not a trigger version`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			var f Event
			f.Register(fs)
			err := fs.Parse(tt.args)
			switch {
			case tt.err != "":
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v, want %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case f.Env.String() != tt.env || string(f.Version) != tt.version:
				t.Errorf("env %q version %q, want %q %q", f.Env, f.Version, tt.env, tt.version)
			}
		})
	}
}
