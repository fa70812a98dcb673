package main

import (
	"context"
	"fmt"
	"io"
	"regexp"

	"github.com/claimsmapper/claimsmapper/internal/cli"
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
	fs := cli.NewSet("test")
	pattern := fs.String("run", "", "")
	format := fs.String("format", "text", "")
	files, code, ok := cli.ParseInterspersed(fs, args, testUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, "claimsmapper test: name at least one mapping file\n\n"+testUsage)
		return cli.ExitUsage
	}
	if err := cli.OneOf("--format", *format, "text", "junit"); err != nil {
		fmt.Fprintf(stderr, "claimsmapper test: %v\n", err)
		return cli.ExitUsage
	}
	re, err := regexp.Compile(*pattern)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper test: --run is not a valid regular expression: %v\n", err)
		return cli.ExitUsage
	}
	var results []inlinetest.FileOutcomes
	broken := false
	for _, file := range files {
		src, err := cli.ReadMapping(file, stdin)
		if err != nil {
			fmt.Fprintf(stderr, "claimsmapper test: %v\n", err)
			broken = true
			continue
		}
		ws := workspace.Open(file, src, workspace.Options{})
		fo, warnings, err := ws.LintAndTest(ctx, re.MatchString)
		if err != nil {
			fmt.Fprintln(stderr, err)
			broken = true
			continue
		}
		for _, f := range warnings {
			fmt.Fprintf(stderr, "warning: %s [%s]\n", f.String(), f.Rule)
		}
		if len(ws.Tests()) == 0 {
			fmt.Fprintf(stderr, "%s: no tests; add a tests: section (see docs/mapping.md)\n", file)
		}
		results = append(results, fo)
	}
	if broken {
		return cli.ExitUsage
	}
	var failed int
	if *format == "junit" {
		_, failed, err = inlinetest.WriteJUnit(stdout, results)
		if err != nil {
			fmt.Fprintf(stderr, "claimsmapper test: %v\n", err)
			return cli.ExitFailed
		}
	} else {
		_, failed = inlinetest.WriteText(stdout, results)
	}
	if failed > 0 {
		return cli.ExitFailed
	}
	return cli.ExitOK
}
