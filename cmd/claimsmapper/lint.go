package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/cliflag"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/localdata"
)

const lintUsage = `Usage: claimsmapper lint [--format text|json|github] [--strict] [--env NAME=VALUE]... [--data FILE]... FILE...

Checks mapping files the way the Lambda does when it loads them, and the
tests: section too, and prints every finding with where it is and how to fix it.
It checks the inline tests are well formed but does not run them: that is
"claimsmapper test FILE". It evaluates every claim for every user of the
sample data it can see (the tests' data: and --data) and warns about a claim
that fails or is left out for some of them.

Options:
  --format FORMAT   text (default): FILE:LINE:COL: SEVERITY: MESSAGE [rule],
                    then the line with a caret under the column;
                    json: an array of findings; github: GitHub Actions annotations
  --strict          count warnings as errors
  --env NAME=VALUE  a value for the mapping's ${NAME} (repeatable); a variable
                    given here or in an inline test's env: is not warned about
  --data FILE       sample data (as for preview --data) whose users every claim
                    is evaluated for (repeatable)

Exit codes: 0 no errors (warnings allowed); 1 errors found; 2 usage, or a file
cannot be read.
`

// lintFinding is a finding as lint --format json prints it.
type lintFinding struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
}

func runLint(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lint", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	format := fs.String("format", "text", "")
	strict := fs.Bool("strict", false, "")
	env := cliflag.Env{}
	fs.Var(env, "env", "")
	var dataFiles multiFlag
	fs.Var(&dataFiles, "data", "")
	files, code, ok := parseInterspersed(fs, args, lintUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, "claimsmapper lint: name at least one mapping file (- reads standard input)\n\n"+lintUsage)
		return exitUsage
	}
	switch *format {
	case "text", "json", "github":
	default:
		fmt.Fprintf(stderr, "claimsmapper lint: --format should be text, json or github, not %q\n", *format)
		return exitUsage
	}
	if stdinReaders(append(append([]string{}, files...), dataFiles...)...) > 1 {
		fmt.Fprint(stderr, "claimsmapper lint: only one mapping or --data file can read standard input\n")
		return exitUsage
	}
	var data []*localdata.Data
	for _, path := range dataFiles {
		d, err := readData(path, stdin)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return exitUsage
		}
		data = append(data, d)
	}
	all := []lintFinding{}
	failed, unreadable := false, false
	tests, withTests := 0, []string{}
	unset := map[string]bool{}
	var policies []string
	for _, file := range files {
		src, err := readInput(file, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "claimsmapper lint: cannot read the mapping %s: %s\n", file, inlinetest.PlainIOError(err))
			unreadable = true
			continue
		}
		ws := workspace.Open(file, src, workspace.Options{Env: workspace.Env{Flags: env}, Data: data})
		// A variable unset for one mapping is unset for all: said once.
		findings := lint.UnsetOnce(ws.Lint(), unset)
		if n := len(ws.Tests()); n > 0 {
			tests += n
			withTests = append(withTests, file)
		}
		refused := workspace.Refusing(findings, *strict) > 0
		failed = failed || refused
		if !refused && *format == "text" {
			// Which rules fail closed and which fail open, for the reviewer.
			if p := lint.Policies(ws.Mapping()); p != "" {
				policies = append(policies, file+": "+p)
			}
		}
		for _, f := range findings {
			switch *format {
			case "text":
				printTextFinding(stdout, f, src)
			case "github":
				printGitHubFinding(stdout, f)
			}
			all = append(all, lintFinding{File: f.File, Line: f.Pos.Line, Column: f.Pos.Column, Severity: f.Severity.String(), Rule: f.Rule, Message: withPath(f)})
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(all); err != nil {
			fmt.Fprintf(stderr, "claimsmapper lint: %v\n", err)
			return exitUsage
		}
	}
	switch {
	case unreadable:
		return exitUsage
	case failed:
		return exitFailed
	}
	if *format == "text" && len(all) == 0 {
		fmt.Fprintf(stdout, "ok: %d mapping file(s), no findings\n", len(files))
	}
	for _, p := range policies {
		fmt.Fprintln(stdout, p)
	}
	if *format == "text" && tests > 0 {
		// "ok" above was read as "the tests pass" by authors who had not
		// run them.
		fmt.Fprintf(stdout, "%s checked, not run: run `claimsmapper test %s` to run them\n",
			plural(tests, "inline test"), strings.Join(withTests, " "))
	}
	return exitOK
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun + " was"
	}
	return fmt.Sprintf("%d %ss were", n, noun)
}

// withPath prefixes the message with the YAML path it is about.
func withPath(f config.Finding) string {
	if f.Path == "" {
		return f.Message
	}
	return f.Path + ": " + f.Message
}

// printTextFinding prints FILE:LINE:COL: SEVERITY: MESSAGE [rule] and the
// source line with a caret under the column.
func printTextFinding(w io.Writer, f config.Finding, src []byte) {
	where := f.File
	if f.Pos.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", f.File, f.Pos.Line, f.Pos.Column)
	}
	fmt.Fprintf(w, "%s: %s: %s [%s]\n", where, f.Severity, withPath(f), f.Rule)
	if line, ok := sourceLine(src, f.Pos.Line); ok && f.Pos.Column > 0 {
		fmt.Fprintf(w, "  %s\n  %s^\n", line, caretPad(line, f.Pos.Column))
	}
}

// sourceLine returns line n (1-based) of src, tabs kept.
func sourceLine(src []byte, n int) (string, bool) {
	if n < 1 {
		return "", false
	}
	lines := bytes.Split(src, []byte("\n"))
	if n > len(lines) {
		return "", false
	}
	return strings.TrimRight(string(lines[n-1]), "\r"), true
}

// caretPad is the indentation that puts a caret under column col (counted
// in characters), keeping tabs so the caret lines up.
func caretPad(line string, col int) string {
	var b strings.Builder
	i := 1
	for _, r := range line {
		if i >= col {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
		i++
	}
	return b.String()
}

// printGitHubFinding prints a GitHub Actions workflow command annotation.
func printGitHubFinding(w io.Writer, f config.Finding) {
	level := "error"
	switch f.Severity {
	case config.SevWarning:
		level = "warning"
	case config.SevInfo:
		level = "notice"
	}
	msg := withPath(f)
	fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", level,
		ghProperty(f.File), f.Pos.Line, f.Pos.Column, ghProperty(f.Rule), ghData(msg))
}

// ghData and ghProperty escape as GitHub's workflow commands require.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
