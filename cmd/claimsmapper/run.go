package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

const runUsage = `Usage: claimsmapper run --mapping FILE --event FILE [--data FILE]

Evaluates the mapping for one Cognito Pre Token Generation event and prints the
event with its response, exactly as the Lambda would return it.

Options:
  --mapping FILE   the mapping file (YAML)
  --event FILE     the event (JSON)
  --data FILE      tables and items to use instead of DynamoDB (YAML or JSON)

Exit codes: 0 ok; 1 the mapping or event is invalid, or the event failed; 2 usage.
`

func runRun(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	mappingPath := fs.String("mapping", "", "")
	eventPath := fs.String("event", "", "")
	dataPath := fs.String("data", "", "")
	if code, ok := parseFlags(fs, args, runUsage, stdout, stderr); !ok {
		return code
	}
	if *mappingPath == "" || *eventPath == "" {
		fmt.Fprint(stderr, "claimsmapper run: --mapping and --event are required\n\n"+runUsage)
		return exitUsage
	}
	if *mappingPath == "-" && *eventPath == "-" {
		fmt.Fprint(stderr, "claimsmapper run: only one of --mapping and --event can read standard input\n")
		return exitUsage
	}
	mp, err := loadMapper(ctx, *mappingPath, *dataPath, stdin, stderr)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitFailed
	}
	event, err := readInput(*eventPath, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper run: cannot read the event: %v\n", err)
		return exitFailed
	}
	out, err := mp.Handle(ctx, event)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n", *eventPath, describeEventError(err))
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
	var ee *mapper.EventError
	if errors.As(err, &ee) && ee.Err != nil {
		return fmt.Sprintf("the event failed: Cognito would show %q (cause: %v)", ee.Public, ee.Err)
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
func loadMapper(ctx context.Context, mappingPath, dataPath string, stdin io.Reader, stderr io.Writer) (*mapper.Mapper, error) {
	src, err := readInput(mappingPath, stdin)
	if err != nil {
		return nil, fmt.Errorf("claimsmapper: cannot read the mapping: %w", err)
	}
	mp, fs := mapper.Load(src, mapper.LoadOptions{File: mappingPath, Logger: cliLogger(stderr)})
	if err := config.Errors(fs); err != nil {
		return nil, err
	}
	if !mp.HasSources() && dataPath == "" {
		return mp, nil
	}
	store, err := openStore(ctx, dataPath)
	if err != nil {
		return nil, err
	}
	return mp.WithStore(store), nil
}

// openStore returns the store behind the mapping's sources.
func openStore(ctx context.Context, dataPath string) (mapper.Store, error) {
	if dataPath == "" {
		store, err := dynamoStore(ctx, nil)
		if err != nil {
			return nil, fmt.Errorf("claimsmapper: DynamoDB: %w (or pass --data FILE with local tables)", err)
		}
		return store, nil
	}
	return localdata.Load(dataPath)
}
