package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"regexp"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
)

const testUsage = `Usage: claimsmapper test [--run REGEX] [--format text|junit] FILE...

Runs the tests written in the tests: section of each mapping file, on the
data each test gives (never DynamoDB), and prints PASS or FAIL per test.

Options:
  --run REGEX      run only the tests whose name matches REGEX
  --format FORMAT  text (default) or junit, JUnit XML for CI systems

Exit codes: 0 all tests pass; 1 a test failed; 2 usage, or a mapping or its
tests do not load.
`

func runTest(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pattern := fs.String("run", "", "")
	format := fs.String("format", "text", "")
	files, code, ok := parseInterspersed(fs, args, testUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, "claimsmapper test: name at least one mapping file\n\n"+testUsage)
		return exitUsage
	}
	if *format != "text" && *format != "junit" {
		fmt.Fprintf(stderr, "claimsmapper test: --format should be text or junit, not %q\n", *format)
		return exitUsage
	}
	re, err := regexp.Compile(*pattern)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper test: --run is not a valid regular expression: %v\n", err)
		return exitUsage
	}
	var results []inlinetest.FileOutcomes
	broken := false
	for _, file := range files {
		src, err := readInput(file, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "claimsmapper test: cannot read the mapping %s: %s\n", file, inlinetest.PlainIOError(err))
			broken = true
			continue
		}
		ws := workspace.Open(file, src, workspace.Options{})
		findings := ws.Lint()
		if err := config.Errors(findings); err != nil {
			fmt.Fprintln(stderr, err)
			broken = true
			continue
		}
		for _, f := range findings {
			// A misspelled attribute passes a test that expects its claim
			// absent; say so here, not only in lint.
			if f.Rule == "unknown-attribute" {
				fmt.Fprintf(stderr, "warning: %s [%s]\n", f.String(), f.Rule)
			}
		}
		if len(ws.Tests()) == 0 {
			fmt.Fprintf(stderr, "%s: no tests; add a tests: section (see docs/mapping.md)\n", file)
		}
		fo := ws.RunTests(ctx, re.MatchString)
		results = append(results, fo)
	}
	if broken {
		return exitUsage
	}
	var failed int
	if *format == "junit" {
		_, failed, err = inlinetest.WriteJUnit(stdout, results)
		if err != nil {
			fmt.Fprintf(stderr, "claimsmapper test: %v\n", err)
			return exitFailed
		}
	} else {
		_, failed = inlinetest.WriteText(stdout, results)
	}
	if failed > 0 {
		return exitFailed
	}
	return exitOK
}

// parseInterspersed parses flags that may come after the file names, as in
// "claimsmapper test mapping.yaml --run ben", and returns the file names.
// parseOneFile is parseInterspersed for a command that takes exactly one
// file: any other count prints need and the usage and exits with usage.
func parseOneFile(fs *flag.FlagSet, args []string, usage, need string, stdout, stderr io.Writer) (file string, code int, ok bool) {
	files, code, ok := parseInterspersed(fs, args, usage, stdout, stderr)
	if !ok {
		return "", code, false
	}
	if len(files) != 1 {
		fmt.Fprint(stderr, need+"\n\n"+usage)
		return "", exitUsage, false
	}
	return files[0], 0, true
}

func parseInterspersed(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (rest []string, code int, ok bool) {
	for {
		if err := fs.Parse(args); err != nil {
			// Reuse parseFlags' messages for help and bad flags.
			code, _ := parseFlags(fs, args, usage, stdout, stderr)
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
