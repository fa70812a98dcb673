package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Exit codes shared by the commands.
const (
	ExitOK     = 0
	ExitFailed = 1 // invalid input, or the event failed
	ExitUsage  = 2
)

// NewSet is a command's flag set: its errors are the caller's to print,
// with the command's own usage, as Parse does.
func NewSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// NewSetWithEnv is NewSet with --env registered: the shape of the commands
// that read one mapping as the function would (iam-policy, trigger-version,
// studio).
func NewSetWithEnv(name string) (*flag.FlagSet, Env) {
	fs, env := NewSet(name), Env{}
	fs.Var(env, "env", "")
	return fs, env
}

// Parse parses a command's flags, which take no other argument; ok is
// false when the command should stop with code (help asked for, or a usage
// error, said on stdout or stderr with usage).
func Parse(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return ExitOK, false
	case err != nil:
		fmt.Fprintf(stderr, "claimsmapper %s: %v\n\n%s", fs.Name(), err, usage)
		return ExitUsage, false
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "claimsmapper %s: unexpected argument %q\n\n%s", fs.Name(), fs.Arg(0), usage)
		return ExitUsage, false
	}
	return 0, true
}

// ParseInterspersed parses flags that may come after the file names, as in
// "claimsmapper test mapping.yaml --run ben", and returns the file names.
func ParseInterspersed(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (rest []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			// Parse's messages for help and bad flags.
			code, _ := Parse(fs, args, usage, stdout, stderr)
			return nil, code, false
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, 0, true
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// ParseOneFile is ParseInterspersed for a command that takes exactly one
// file: any other count prints need and the usage and exits with usage.
func ParseOneFile(fs *flag.FlagSet, args []string, usage, need string, stdout, stderr io.Writer) (file string, code int, ok bool) {
	files, code, ok := ParseInterspersed(fs, args, usage, stdout, stderr)
	if !ok {
		return "", code, false
	}
	if len(files) != 1 {
		fmt.Fprint(stderr, need+"\n\n"+usage)
		return "", ExitUsage, false
	}
	return files[0], 0, true
}

// Strings is a repeated flag's values, in order.
type Strings []string

func (s *Strings) String() string     { return strings.Join(*s, ",") }
func (s *Strings) Set(v string) error { *s = append(*s, v); return nil }

// OneOf refuses a value of the flag name that is not one of allowed:
// "--format should be text, json or markdown, not "xml"".
func OneOf(name, value string, allowed ...string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	list := allowed[len(allowed)-1]
	if n := len(allowed); n > 1 {
		list = strings.Join(allowed[:n-1], ", ") + " or " + list
	}
	return fmt.Errorf("%s should be %s, not %q", name, list, value)
}
