package cliflag

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

func TestLookupEnvBorrowsTheTestsEnvOnlyWhenNothingElseIsSet(t *testing.T) {
	t.Parallel()
	mapping := []byte(`version: 1
sources:
  user: { table: "${TABLE}", key: { id: event.userName } }
claims:
  a: user.A
tests:
  - name: no env
    event: e.json
    expect: {}
  - name: first with env
    env: { TABLE: FromTest, OTHER: x }
    event: e.json
    expect: {}
  - name: second
    env: { TABLE: Later }
    event: e.json
    expect: {}
`)
	none := func(string) (string, bool) { return "", false }
	process := func(n string) (string, bool) { return "FromProcess", n == "TABLE" }
	tests := []struct {
		name    string
		env     Env
		process func(string) (string, bool)
		src     []byte
		want    string
		note    string
	}{
		{"nothing set: the first test with env: gives it", nil, none, mapping, "FromTest", `using TABLE=FromTest from the env: of the test "first with env" (line 10)`},
		{"--env wins", Env{"TABLE": "FromFlag"}, none, mapping, "FromFlag", ""},
		{"the environment wins", nil, process, mapping, "FromProcess", ""},
		{"no tests: nothing to borrow", nil, none, []byte("version: 1\nsources:\n  u: { table: \"${TABLE}\", key: { id: event.userName } }\nclaims:\n  a: u.A\n"), "", ""},
		{"not YAML: nothing to borrow", nil, none, []byte("{"), "", ""},
	}
	t.Run("without --data, DynamoDB is not given a test's table", func(t *testing.T) {
		f := Event{}
		if _, note := f.LookupEnv("m.yaml", mapping, none, []string{"TABLE"}); note != "" {
			t.Errorf("note %q, want none", note)
		}
	})
	t.Run("a variable the operator does not allow is not borrowed", func(t *testing.T) {
		t.Parallel()
		lookup, note := (&Event{Data: "users.yaml"}).LookupEnv("m.yaml", mapping, none, nil)
		if got, _ := lookup("TABLE"); got != "" || note != "" {
			t.Errorf("TABLE = %q, note %q; want nothing borrowed", got, note)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := Event{Env: tt.env, Data: "users.yaml"}
			lookup, note := f.LookupEnv("m.yaml", tt.src, tt.process, []string{"TABLE"})
			got, _ := lookup("TABLE")
			if got != tt.want || !strings.Contains(note, tt.note) || (tt.note == "" && note != "") {
				t.Errorf("TABLE = %q, note %q; want %q, note %q", got, note, tt.want, tt.note)
			}
		})
	}
}
