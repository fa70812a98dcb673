package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/preview"
)

const previewUsage = `Usage: claimsmapper preview --mapping FILE --event FILE [--data FILE] [--env NAME=VALUE]... [--version 1|2|3] [--user NAME] [--group NAME]... [--format text|json]

Shows the ID token and access token as Cognito would issue them for the event:
the claims Cognito derives from the event, with placeholder times and ids,
plus what the mapping adds (+), overrides (~) and suppresses (-).

Options:
` + cli.Usage + `  --format FORMAT     text (default) or json: {"idToken": {...}, "accessToken": {...}}

Exit codes: 0 ok; 1 the mapping or event is invalid, or the event failed; 2 usage.
`

func runPreview(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("preview", flag.ContinueOnError)
	format := fs.String("format", "text", "")
	in, code, ok := parseEventFlags(ctx, fs, args, previewUsage, stdin, stdout, stderr)
	if !ok {
		return code
	}
	if err := cli.OneOf("--format", *format, "text", "json"); err != nil {
		fmt.Fprintf(stderr, "claimsmapper preview: %v\n", err)
		return cli.ExitUsage
	}
	r, err := in.Mapper.Evaluate(ctx, in.Event)
	checkAttributes(in, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", in.EventPath, cli.DescribeEventError(err))
		return cli.ExitFailed
	}
	p := preview.Build(in.Event, r)
	if *format == "json" {
		if err := preview.WriteJSON(stdout, stderr, p); err != nil {
			fmt.Fprintf(stderr, "claimsmapper preview: %v\n", err)
			return cli.ExitFailed
		}
		return cli.ExitOK
	}
	preview.WriteText(stdout, p, cli.IsTerminal(stdout))
	return cli.ExitOK
}

// parseEventFlags reads the flags cli.Event registers (plus any flags fs
// already has), then the mapping, its store and the event they name. It
// prints on stderr what the author should know first (where ${NAME} took
// their values, an event of another version than the mapping's).
func parseEventFlags(ctx context.Context, fs *flag.FlagSet, args []string, usage string, stdin io.Reader, stdout, stderr io.Writer) (*cli.Input, int, bool) {
	fs.SetOutput(io.Discard)
	var f cli.Event
	f.Register(fs)
	if code, ok := cli.Parse(fs, args, usage, stdout, stderr); !ok {
		return nil, code, false
	}
	name := "claimsmapper " + fs.Name()
	if f.Mapping == "" || f.Event == "" {
		fmt.Fprintf(stderr, "%s: --mapping and --event are required\n\n%s", name, usage)
		return nil, cli.ExitUsage, false
	}
	if cli.StdinReaders(f.Mapping, f.Event, f.Data) > 1 {
		fmt.Fprintf(stderr, "%s: only one of --mapping, --event and --data can read standard input\n", name)
		return nil, cli.ExitUsage, false
	}
	in, err := f.Load(ctx, name, stdin, cli.Logger(stderr), func(line string) { fmt.Fprintln(stderr, line) })
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, cli.ExitFailed, false
	}
	return in, 0, true
}

// checkAttributes warns, once each, about attributes the mapping reads that
// no item it ran on has.
func checkAttributes(in *cli.Input, stderr io.Writer) {
	for _, f := range in.MissingAttributes() {
		fmt.Fprintf(stderr, "warning: %s [%s]\n", f.String(), f.Rule)
	}
}
