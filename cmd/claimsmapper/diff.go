package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/cliflag"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/mapper"
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

// diffFlags are the user sources diff and the publishing gate share.
type diffFlags struct {
	events     multiFlag
	users      string
	names      multiFlag
	groups     cliflag.Groups
	sample     string
	event      string
	data       string
	showValues bool
	showUsers  bool
	env        cliflag.Env
	// sampleTable and sampleN are --sample, parsed by check.
	sampleTable string
	sampleN     int
}

// check validates the user sources before anything is read.
func (d *diffFlags) check() error {
	if !d.any() {
		return errors.New("say which users to compare with --events, --users, --user or --sample")
	}
	if d.sample == "" {
		return nil
	}
	d.sampleTable, d.sampleN = d.sample, changes.DefaultSample
	if i := strings.LastIndex(d.sample, ":"); i >= 0 {
		v, err := strconv.Atoi(d.sample[i+1:])
		if err != nil || v < 1 || v > changes.MaxUsers {
			return fmt.Errorf("--sample %q: want TABLE or TABLE:N, with N from 1 to %d", d.sample, changes.MaxUsers)
		}
		d.sampleTable, d.sampleN = d.sample[:i], v
	}
	if d.sampleTable == "" {
		return fmt.Errorf("--sample %q: name the users table", d.sample)
	}
	return nil
}

func (d *diffFlags) register(fs *flag.FlagSet) {
	d.env = cliflag.Env{}
	fs.Var(d.env, "env", "")
	fs.Var(&d.events, "events", "")
	fs.StringVar(&d.users, "users", "", "")
	fs.Var(&d.names, "user", "")
	fs.Var(&d.groups, "group", "")
	fs.StringVar(&d.sample, "sample", "", "")
	fs.StringVar(&d.event, "event", "", "")
	fs.StringVar(&d.data, "data", "", "")
	fs.BoolVar(&d.showValues, "show-values", false, "")
	fs.BoolVar(&d.showUsers, "show-users", false, "")
}

// writeOptions are how diff and the gate render a report: masked unless
// asked, with the text both mappings write shown as it is.
func (d *diffFlags) writeOptions(format string, oldSrc, newSrc []byte) changes.Options {
	return changes.Options{Format: format, ShowValues: d.showValues, ShowUsers: d.showUsers, Literals: changes.LiteralsOf(oldSrc, newSrc)}
}

// any reports whether a user source was given.
func (d *diffFlags) any() bool {
	return len(d.events) > 0 || d.users != "" || len(d.names) > 0 || d.sample != ""
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runDiff(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var df diffFlags
	df.register(fs)
	format := fs.String("format", "text", "")
	files, code, ok := parseInterspersed(fs, args, diffUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(files) != 2 {
		fmt.Fprint(stderr, "claimsmapper diff: name two mappings, OLD and NEW\n\n"+diffUsage)
		return exitUsage
	}
	if files[0] == "-" && files[1] == "-" {
		fmt.Fprint(stderr, "claimsmapper diff: only one of OLD and NEW can read standard input\n")
		return exitUsage
	}
	switch *format {
	case changes.FormatText, changes.FormatJSON, changes.FormatMarkdown:
	default:
		fmt.Fprintf(stderr, "claimsmapper diff: --format should be text, json or markdown, not %q\n", *format)
		return exitUsage
	}
	if err := df.check(); err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n\n%s", err, diffUsage)
		return exitUsage
	}
	oldSrc, err := readMappingRef(ctx, files[0], files[1], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n", err)
		return exitUsage
	}
	newSrc, err := readMappingRef(ctx, files[1], files[0], stdin)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n", err)
		return exitUsage
	}
	report, err := compareMappings(ctx, df, files[0], oldSrc, files[1], newSrc)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitUsage
	}
	opts := df.writeOptions(*format, oldSrc, newSrc)
	opts.Before, opts.After = files[0], files[1]
	if err := changes.Write(stdout, report, opts); err != nil {
		fmt.Fprintf(stderr, "claimsmapper diff: %v\n", err)
		return exitUsage
	}
	if report.Changed > 0 {
		return exitFailed
	}
	return exitOK
}

// open opens a mapping's text with the flags' --env.
func (d *diffFlags) open(name string, src []byte) *workspace.Workspace {
	return workspace.Open(name, src, workspace.Options{Env: workspace.Env{Flags: d.env}})
}

// storeError is a store that cannot be opened: its message is complete.
type storeError struct{ error }

// compareMappings compares two mappings for the users the flags name. Its
// error is what to print.
func compareMappings(ctx context.Context, df diffFlags, oldName string, oldSrc []byte, newName string, newSrc []byte) (*changes.Report, error) {
	report, err := workspace.Compare(ctx, df.open(oldName, oldSrc), df.open(newName, newSrc), df.comparison())
	return report, diffError(err)
}

// comparison is what the flags compare on: their users, and the store
// both mappings read (DynamoDB is opened only when a mapping reads it).
func (d *diffFlags) comparison() workspace.Comparison {
	return workspace.Comparison{
		Users: workspace.Users{
			Events: d.events, UsersFile: d.users, Names: d.names, TemplateFile: d.event, Groups: d.groups,
			SampleTable: d.sampleTable, SampleN: d.sampleN,
			Scanner: func(ctx context.Context) (changes.ScanAPI, error) { return newDynamoClient(ctx) },
		},
		AlwaysOpen: d.data != "",
		OpenStore: func(ctx context.Context) (mapper.Store, error) {
			store, err := openStore(ctx, d.data, nil)
			if err != nil {
				return nil, storeError{err}
			}
			return store, nil
		},
	}
}

// diffError is how diff words a comparison that could not run.
func diffError(err error) error {
	var old *workspace.OldLoadError
	var nw *workspace.NewLoadError
	var se storeError
	if err == nil || errors.As(err, &old) || errors.As(err, &nw) || errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("claimsmapper diff: %w", err)
}
