package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/preview"
)

const explainUsage = `Usage: claimsmapper explain --mapping FILE --event FILE [--data FILE] [--env NAME=VALUE]... [--version 1|2|3] [--user NAME] [--group NAME]...

Explains why the tokens have (or lack) each claim: for every source, the key or
query it used, whether it ran, found or was skipped, which attributes it
fetched and how long it took; for every claim, suppression, group and scope
rule, whether it fired, the value of its when, and the value or the error.

Options:
` + cli.Usage + `
Exit codes: 0 the event succeeded; 1 the mapping or event is invalid, or the
event failed (the explanation is still printed); 2 usage.
`

func runExplain(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	in, code, ok := parseEventFlags(ctx, fs, args, explainUsage, stdin, stdout, stderr)
	if !ok {
		return code
	}
	r, trace, err := in.Mapper.EvaluateTrace(ctx, in.Event)
	checkAttributes(in, stderr)
	preview.WriteExplain(stdout, trace, err)
	if err == nil {
		fmt.Fprintln(stdout)
		preview.WriteSizes(stdout, preview.Build(in.Event, r))
	}
	if err != nil {
		return cli.ExitFailed
	}
	return cli.ExitOK
}
