package main

import (
	"context"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
)

const diffUsage = `Usage: claimsmapper diff [options] OLD NEW

Shows who a mapping change affects: the tokens each user gets under the OLD
mapping and under the NEW one, and only what differs. OLD (or NEW) may be
s3://bucket/key, the mapping in force, or a git revision: git:REV is the
other file at REV, REV:PATH (as git show writes it) any file at REV:

  claimsmapper diff s3://my-bucket/mapping.yaml mapping.yaml --sample Users
  claimsmapper diff git:HEAD mapping.yaml --users users.yaml   # your uncommitted edit

The users to compare (at least one of):
  --events PATH      Cognito events: a .json file, or a folder of them;
                     repeat for more
  --users FILE       one user per line (the user name, sub or whatever the
                     mapping looks users up by), or a data file (as for
                     --data) whose user table lists the users; FILE:TABLE
                     picks the table
  --sample TABLE[:N] at most N users (default 100) read from the DynamoDB
                     table, key attributes only
  --user NAME        a user by name (repeatable), as one line of --users
  --event FILE       the event each --users, --user or --sample user signs
                     in with (default: a version 2 sign-in with no groups)
  --group NAME       a group those users are in (repeatable), as Cognito
                     sends it (event.groups); without it, the event's groups

Options:
  --data FILE        tables and items to use instead of DynamoDB (YAML or JSON)
  --env NAME=VALUE   a value for the mappings' ${NAME} (repeatable); the
                     environment is used for the others
  --format FORMAT    text (default), json, or markdown (for a pull request)
  --show-values      show claim values, and group, role and scope names
                     computed from data; by default they are masked (but
                     for text the mappings write), as a diff is shared widely
  --show-users       show user names; by default each is "user N"

Exit codes: 0 no user's tokens change; 1 some change; 2 usage, or a mapping,
event or user list cannot be read.
`

func runDiff(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.NewSet("diff")
	var df cli.UserFlags
	df.Register(fs)
	format := fs.String("format", "text", "")
	files, code, ok := cli.ParseInterspersed(fs, args, diffUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 2 {
		fmt.Fprint(stderr, "claimsmapper diff: name two mappings, OLD and NEW\n\n"+diffUsage)
		return cli.ExitUsage
	}
	if files[0] == "-" && files[1] == "-" {
		fmt.Fprint(stderr, "claimsmapper diff: only one of OLD and NEW can read standard input\n")
		return cli.ExitUsage
	}
	if err := cli.OneOf("--format", *format, changes.FormatText, changes.FormatJSON, changes.FormatMarkdown); err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n", err)
		return cli.ExitUsage
	}
	if err := df.Check(); err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n\n%s", err, diffUsage)
		return cli.ExitUsage
	}
	oldSrc, err := cli.ReadMappingRef(ctx, files[0], files[1], stdin, nil)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n", err)
		return cli.ExitUsage
	}
	newSrc, err := cli.ReadMappingRef(ctx, files[1], files[0], stdin, nil)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n", err)
		return cli.ExitUsage
	}
	report, err := workspace.Compare(ctx, df.Open(files[0], oldSrc), df.Open(files[1], newSrc), df.Comparison())
	if err = cli.CompareError("diff", err); err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitUsage
	}
	opts := df.WriteOptions(*format, oldSrc, newSrc)
	opts.Before, opts.After = files[0], files[1]
	if err := changes.Write(stdout, report, opts); err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n", err)
		return cli.ExitUsage
	}
	if report.Changed > 0 {
		return cli.ExitFailed
	}
	return cli.ExitOK
}
