package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/preview"
)

const runUsage = `Usage: claimsmapper run --mapping FILE --event FILE [--data FILE] [--env NAME=VALUE]... [--version 1|2|3] [--user NAME] [--group NAME]... [--summary]

Evaluates the mapping for one Cognito Pre Token Generation event and prints the
event with its response, exactly as the Lambda would return it.

Options:
` + cli.Usage + `  --summary           first print the claims the mapping sets, as a short table
Exit codes: 0 ok; 1 the mapping or event is invalid, or the event failed; 2 usage.
`

func runRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	summary := fs.Bool("summary", false, "")
	in, code, ok := parseEventFlags(ctx, fs, args, runUsage, stdin, stdout, stderr)
	if !ok {
		return code
	}
	if *summary {
		// The response's JSON is long; what a newcomer looks for is the
		// handful of claims the mapping set.
		if r, err := in.Mapper.Evaluate(ctx, in.Event); err == nil {
			who := "this sign-in"
			if in.Event.UserName != "" {
				who = in.Event.UserName
			}
			fmt.Fprintf(stdout, "The claims the mapping sets for %s:\n\n", who)
			preview.WriteChanges(stdout, preview.Build(in.Event, r))
			fmt.Fprint(stdout, "\nThe event with the response, as the function returns it to Cognito:\n\n")
		}
	}
	out, err := in.Mapper.Handle(ctx, in.Raw)
	checkAttributes(in, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", in.EventPath, cli.DescribeEventError(err))
		return cli.ExitFailed
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") == nil {
		out = pretty.Bytes()
	}
	stdout.Write(out)
	fmt.Fprintln(stdout)
	return cli.ExitOK
}
