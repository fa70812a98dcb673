package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
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

func runLint(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, env := cli.NewSetWithEnv("lint")
	format := fs.String("format", "text", "")
	strict := fs.Bool("strict", false, "")
	var dataFiles cli.Strings
	fs.Var(&dataFiles, "data", "")
	files, code, ok := cli.ParseInterspersed(fs, args, lintUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, "claimsmapper lint: name at least one mapping file (- reads standard input)\n\n"+lintUsage)
		return cli.ExitUsage
	}
	printer, err := lint.NewPrinter(stdout, *format)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper lint: %v\n", err)
		return cli.ExitUsage
	}
	if cli.StdinReaders(append(append([]string{}, files...), dataFiles...)...) > 1 {
		fmt.Fprint(stderr, "claimsmapper lint: only one mapping or --data file can read standard input\n")
		return cli.ExitUsage
	}
	data, err := cli.ReadDataFiles(dataFiles, stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitUsage
	}
	failed, unreadable := false, false
	tests, withTests := 0, []string{}
	unset := map[string]bool{}
	var policies []string
	for _, file := range files {
		src, err := cli.ReadMapping(file, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "claimsmapper lint: %v\n", err)
			unreadable = true
			continue
		}
		ws := workspace.Open(file, src, workspace.Options{Env: workspace.Env{Flags: env}, Data: data})
		// A variable unset for one mapping is unset for all: said once.
		v := ws.Verdict(*strict, unset)
		if v.Tests > 0 {
			tests += v.Tests
			withTests = append(withTests, file)
		}
		failed = failed || v.Refused
		if v.Policies != "" && *format == lint.FormatText {
			// Which rules fail closed and which fail open, for the reviewer.
			policies = append(policies, file+": "+v.Policies)
		}
		printer.Print(v.Findings, src)
	}
	if err := printer.Close(); err != nil {
		fmt.Fprintf(stderr, "claimsmapper lint: %v\n", err)
		return cli.ExitUsage
	}
	switch {
	case unreadable:
		return cli.ExitUsage
	case failed:
		return cli.ExitFailed
	}
	if *format == lint.FormatText && printer.Printed() == 0 {
		fmt.Fprintf(stdout, "ok: %d mapping file(s), no findings\n", len(files))
	}
	for _, p := range policies {
		fmt.Fprintln(stdout, p)
	}
	if *format == lint.FormatText && tests > 0 {
		// "ok" above was read as "the tests pass" by authors who had not
		// run them.
		fmt.Fprintf(stdout, "%s checked, not run: run `claimsmapper test %s` to run them\n",
			plural(tests, "inline test"), strings.Join(withTests, " "))
	}
	return cli.ExitOK
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun + " was"
	}
	return fmt.Sprintf("%d %ss were", n, noun)
}
