package main

import (
	"context"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/studio"
	"github.com/claimsmapper/claimsmapper/localdata"
)

const studioUsage = `Usage: claimsmapper studio [--data FILE] [--events DIR|FILE]... [--env NAME=VALUE]... [--addr HOST:PORT] [--no-open] MAPPING

Opens the mapping in a web page served by this program: edit it and see the
ID and access tokens of a user change as you type, with every finding of lint
underlined in place, the explanation of every rule, the inline tests and Save.
The page's address is the first line printed; it works only on this computer
and only with the secret it carries. Stop with Ctrl+C.

Options:
  --data FILE       tables and items to use instead of DynamoDB (YAML or JSON)
  --events PATH     a sample event (JSON), or a folder of them (*.json);
                    repeat for more. Without it, type a user name on the page.
  --env NAME=VALUE  a value for ${NAME} in the mapping, e.g. TABLE_NAME=SampleUsers;
                    repeat it for each variable. Without it the values come from
                    the environment or, when that sets none, from the tests' env:
  --addr HOST:PORT  where to listen (default 127.0.0.1:0, a free port on this
                    computer only)
  --no-open         do not open the browser

Exit codes: 0 stopped with Ctrl+C; 1 the server could not start; 2 usage.
`

func runStudio(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs, env := cli.NewSetWithEnv("studio")
	dataPath := fs.String("data", "", "")
	addr := fs.String("addr", "127.0.0.1:0", "")
	noOpen := fs.Bool("no-open", false, "")
	var events cli.Strings
	fs.Var(&events, "events", "")
	file, code, ok := cli.ParseOneFile(fs, args, studioUsage, "claimsmapper studio: name one mapping file", stdout, stderr)
	if !ok {
		return code
	}
	opts := studio.Options{Mapping: file, DataPath: *dataPath, Env: env, Logger: cli.Logger(stderr)}
	store, err := cli.OpenStore(ctx, *dataPath, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitFailed
	}
	opts.Store = store
	if d, ok := store.(*localdata.Data); ok {
		opts.Data = d // the page lists its users
	}
	if opts.Events, err = changes.ReadEvents(events); err != nil {
		fmt.Fprintf(stderr, "claimsmapper studio: %v\n", err)
		return cli.ExitFailed
	}
	srv, err := studio.New(opts)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper studio: %v\n", err)
		return cli.ExitFailed
	}
	ln, remote, err := srv.Listen(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper studio: %v\n", err)
		return cli.ExitFailed
	}
	if remote {
		fmt.Fprintf(stderr, "warning: the studio listens on %s, reachable from other computers; anyone who learns its address can read and change the mapping\n", ln.Addr())
	}
	url := srv.URL(ln.Addr())
	fmt.Fprintln(stdout, url)
	fmt.Fprintln(stderr, "claimsmapper studio: editing", file, "- stop with Ctrl+C")
	if !*noOpen {
		if err := studio.OpenBrowser(url); err != nil {
			fmt.Fprintf(stderr, "claimsmapper studio: open the address above in a browser (%v)\n", err)
		}
	}
	if err := srv.Serve(ctx, ln); err != nil {
		fmt.Fprintf(stderr, "claimsmapper studio: %v\n", err)
		return cli.ExitFailed
	}
	return cli.ExitOK
}
