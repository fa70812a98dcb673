package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/awsconfig"
	"github.com/claimsmapper/claimsmapper/internal/cliflag"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/preview"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

const runUsage = `Usage: claimsmapper run --mapping FILE --event FILE [--data FILE] [--env NAME=VALUE]... [--version 1|2|3] [--user NAME] [--group NAME]... [--summary]

Evaluates the mapping for one Cognito Pre Token Generation event and prints the
event with its response, exactly as the Lambda would return it.

Options:
` + cliflag.Usage + `  --summary           first print the claims the mapping sets, as a short table
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
		if r, err := in.mapper.Evaluate(ctx, in.event); err == nil {
			who := "this sign-in"
			if in.event.UserName != "" {
				who = in.event.UserName
			}
			fmt.Fprintf(stdout, "The claims the mapping sets for %s:\n\n", who)
			preview.WriteChanges(stdout, preview.Build(in.event, r))
			fmt.Fprint(stdout, "\nThe event with the response, as the function returns it to Cognito:\n\n")
		}
	}
	out, err := in.mapper.Handle(ctx, in.raw)
	in.checkAttributes(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", in.eventPath, describeEventError(err))
		return exitFailed
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, out, "", "  ") == nil {
		out = pretty.Bytes()
	}
	stdout.Write(out)
	fmt.Fprintln(stdout)
	return exitOK
}

// describeEventError shows a failed event's public message and, since the
// CLI's user is the mapping's author, its cause.
func describeEventError(err error) string {
	if ee := (*mapper.EventError)(nil); errors.As(err, &ee) && ee.Err != nil {
		return "the event failed: " + authoring.DescribeError(err)
	}
	return err.Error()
}

// parseFlags parses a subcommand's flags; ok is false when the command
// should stop with code (help asked for, or a usage error).
func parseFlags(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stdout, usage)
		return exitOK, false
	case err != nil:
		fmt.Fprintf(stderr, "claimsmapper %s: %v\n\n%s", fs.Name(), err, usage)
		return exitUsage, false
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "claimsmapper %s: unexpected argument %q\n\n%s", fs.Name(), fs.Arg(0), usage)
		return exitUsage, false
	}
	return 0, true
}

// loadMapper reads and compiles a mapping, wired to the local data file when
// one is given and to DynamoDB otherwise. A mapping without sources reads
// nothing, so it needs neither: it runs with no AWS configuration at all.
// Its ${NAME} resolve as f says, which notes on stderr when it borrows the
// inline tests' env:.
//
// rows gives the items the mapping runs on, to check the attributes it reads
// against: every row of a --data table, or the items DynamoDB returned.
func loadMapper(ctx context.Context, f *cliflag.Event, stdin io.Reader, stderr io.Writer) (mp *mapper.Mapper, rows func(string) ([]mapper.Item, bool), err error) {
	noRows := func(string) ([]mapper.Item, bool) { return nil, false }
	src, err := readInput(f.Mapping, stdin)
	if err != nil {
		return nil, nil, fmt.Errorf("claimsmapper: cannot read the mapping: %w", err)
	}
	// Without --data the lookups go to DynamoDB, where a test's sample
	// table name would read the wrong table, or none.
	ws := workspace.Open(f.Mapping, src, workspace.Options{Env: workspace.Env{Flags: f.Env}, FirstTestEnv: f.Data != ""})
	if note := ws.EnvNote(); note != "" {
		fmt.Fprintf(stderr, "note: %s\n", note)
	}
	mp, err = ws.Mapper(nil, cliLogger(stderr))
	var ce *config.Error
	switch {
	case errors.As(err, &ce):
		return nil, nil, withEnvHint(err, ce.Findings)
	case err != nil:
		// CLAIMS_MAPPING_ENV is wrong: it comes from this process, as the
		// function's from its configuration.
		return nil, nil, fmt.Errorf("claimsmapper: %w", err)
	}
	if !mp.HasSources() && f.Data == "" {
		return mp, noRows, nil
	}
	if f.Data != "" {
		data, err := readData(f.Data, stdin)
		if err != nil {
			return nil, nil, err
		}
		return mp.WithStore(data), data.Rows, nil
	}
	store, err := openStore(ctx, f.Data, stdin)
	if err != nil {
		return nil, nil, err
	}
	rec := &preview.Recorder{Store: store}
	return mp.WithStore(rec), rec.Rows, nil
}

// stdinReaders counts the paths that name standard input.
func stdinReaders(paths ...string) int {
	n := 0
	for _, p := range paths {
		if p == "-" {
			n++
		}
	}
	return n
}

// withEnvHint adds to a load error caused by ${NAME} how to fix it on the
// command line: the config's messages are written for the function.
func withEnvHint(err error, fs []config.Finding) error {
	var unset, notAllowed []string
	for _, f := range fs {
		if f.Severity != config.SevError {
			continue
		}
		if m := envUnset.FindStringSubmatch(f.Message); m != nil && f.Rule == "env-unset" && !slices.Contains(unset, m[1]) {
			unset = append(unset, m[1])
		}
		if m := envNotListed.FindStringSubmatch(f.Message); m != nil && f.Rule == "env-not-allowed" && !slices.Contains(notAllowed, m[1]) {
			notAllowed = append(notAllowed, m[1])
		}
	}
	var hints []string
	if len(notAllowed) > 0 {
		flags := make([]string, len(notAllowed))
		for i, n := range notAllowed {
			flags[i] = "--env " + n + "=VALUE"
		}
		hints = append(hints, fmt.Sprintf("on the command line, list the names as the function's operator does and give their values: %s=%s claimsmapper ... %s",
			config.EnvAllowVar, strings.Join(notAllowed, ","), strings.Join(flags, " ")))
	}
	if len(unset) > 0 {
		flags := make([]string, len(unset))
		for i, n := range unset {
			flags[i] = "--env " + n + "=VALUE"
		}
		hints = append(hints, fmt.Sprintf("give the value on the command line: %s (or with --data, an inline test's env: is used)", strings.Join(flags, " ")))
	}
	if len(hints) == 0 {
		return err
	}
	return fmt.Errorf("%w\n%s", err, strings.Join(hints, "\n"))
}

var (
	envUnset     = regexp.MustCompile(`environment variable ([A-Za-z_][A-Za-z0-9_]*) is not set`)
	envNotListed = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\} is not allowed: the function reads only`)
)

// openStore returns the store behind the mapping's sources.
func openStore(ctx context.Context, dataPath string, stdin io.Reader) (mapper.Store, error) {
	if dataPath == "" {
		cfg, err := awsconfig.API(ctx)
		if err != nil {
			return nil, fmt.Errorf("claimsmapper: DynamoDB: %w (or pass --data FILE with local tables)", err)
		}
		return dynamo.Open(cfg, nil), nil
	}
	return readData(dataPath, stdin)
}

// readData reads a --data file; "-" is standard input, where the command
// has it to give (stdin nil: it does not).
func readData(path string, stdin io.Reader) (*localdata.Data, error) {
	if path == "-" && stdin == nil {
		return nil, fmt.Errorf("claimsmapper: this command cannot read --data from standard input; name a file")
	}
	src, err := readInput(path, stdin)
	if err != nil {
		return nil, fmt.Errorf("claimsmapper: cannot read the data file %s: %s", path, inlinetest.PlainIOError(err))
	}
	return localdata.Parse(path, src)
}
