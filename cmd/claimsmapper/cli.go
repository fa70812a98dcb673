package main

import (
	"context"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/cli"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

const usageText = `claimsmapper puts your DynamoDB data into Amazon Cognito tokens, as a mapping file says.

Usage:
  claimsmapper run --mapping FILE --event FILE [--data FILE] [--user NAME] [--group NAME]...
                         evaluate one event and print the response the Lambda would return
  claimsmapper lint [--format text|json|github] [--strict] [--env NAME=VALUE]... [--data FILE] FILE...
                         check mapping files: every finding with where it is and how to fix it
  claimsmapper test [--run REGEX] [--format text|junit] FILE...
                         run the inline tests of mapping files
  claimsmapper preview --mapping FILE --event FILE [--data FILE] [--user NAME] [--format text|json]
                         show the ID and access tokens as Cognito would issue them
  claimsmapper explain --mapping FILE --event FILE [--data FILE] [--user NAME]
                         show every lookup and rule decision: why a token has (or lacks) a claim
  claimsmapper diff [--events PATH | --users FILE | --user NAME | --sample TABLE[:N]] OLD NEW
                         show who a mapping change affects: every user's token changes
  claimsmapper iam-policy [--env NAME=VALUE]... [--attributes] [--region R] --account ID FILE
                         print the IAM policy the function needs to read what the mapping reads
  claimsmapper trigger-version [--env NAME=VALUE]... FILE
                         print the user pool trigger version the mapping is written for
  claimsmapper publish [--yes] [--message TEXT] FILE s3://bucket/key
                         ship a mapping behind a gate: lint, tests, the change shown, confirmation
  claimsmapper history s3://bucket/key
                         list the published versions: when, who, why, which is in force
  claimsmapper rollback [--to VERSION] s3://bucket/key
                         put an earlier version back in force, behind the same gate
  claimsmapper studio [--data FILE] [--events PATH]... [--env NAME=VALUE]... [--no-open] MAPPING
                         edit the mapping in a web page and see the tokens change as you type
  claimsmapper schema    print the JSON Schema of the mapping format, for editors
  claimsmapper version   print the version

Run with no arguments inside AWS Lambda, it serves the Pre Token Generation trigger.
Use "-" as a FILE to read standard input. Run "claimsmapper COMMAND -h" for a command's options.
`

type command func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int

var commands = map[string]command{
	"run":             runRun,
	"lint":            runLint,
	"test":            runTest,
	"preview":         runPreview,
	"explain":         runExplain,
	"diff":            runDiff,
	"publish":         runPublish,
	"history":         runHistory,
	"rollback":        runRollback,
	"iam-policy":      runIAMPolicy,
	"trigger-version": runTriggerVersion,
	"studio":          runStudio,
	"schema":          runSchema,
	"version":         runVersion,
}

// run runs one command. A failed write to stdout (a full disk, a closed
// pipe) fails every command, whatever it would have returned.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	out := &cli.CheckedWriter{W: stdout}
	code := dispatch(ctx, args, stdin, out, stderr)
	if out.Err != nil {
		fmt.Fprint(stderr, cli.WriteFailure(out.Err))
		return cli.ExitFailed
	}
	return code
}

func dispatch(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return cli.ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usageText)
		return cli.ExitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "claimsmapper: unknown command %q\n\n%s", args[0], usageText)
		return cli.ExitUsage
	}
	return cmd(ctx, args[1:], stdin, stdout, stderr)
}

func runSchema(_ context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) int {
	stdout.Write(config.Schema())
	return cli.ExitOK
}

func runVersion(_ context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) int {
	fmt.Fprintf(stdout, "claimsmapper %s\n", version)
	return cli.ExitOK
}
