package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/awsconfig"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// UserFlags are the flags that say whose tokens a comparison is for, and how
// it is shown: diff's, and the publishing gate's.
type UserFlags struct {
	Events     Strings
	UsersFile  string
	Names      Strings
	Groups     Groups
	Sample     string
	Event      string
	Data       string
	ShowValues bool
	ShowUsers  bool
	Env        Env
	// sampleTable and sampleN are --sample, parsed by Check.
	sampleTable string
	sampleN     int
}

// Register adds --env, --events, --users, --user, --group, --sample,
// --event, --data, --show-values and --show-users to fs.
func (u *UserFlags) Register(fs *flag.FlagSet) {
	u.Env = Env{}
	fs.Var(u.Env, "env", "")
	fs.Var(&u.Events, "events", "")
	fs.StringVar(&u.UsersFile, "users", "", "")
	fs.Var(&u.Names, "user", "")
	fs.Var(&u.Groups, "group", "")
	fs.StringVar(&u.Sample, "sample", "", "")
	fs.StringVar(&u.Event, "event", "", "")
	fs.StringVar(&u.Data, "data", "", "")
	fs.BoolVar(&u.ShowValues, "show-values", false, "")
	fs.BoolVar(&u.ShowUsers, "show-users", false, "")
}

// Any reports whether a user source was given.
func (u *UserFlags) Any() bool {
	return len(u.Events) > 0 || u.UsersFile != "" || len(u.Names) > 0 || u.Sample != ""
}

// Check validates the user sources before anything is read: there is one,
// and --sample is TABLE or TABLE:N.
func (u *UserFlags) Check() error {
	if !u.Any() {
		return errors.New("say which users to compare with --events, --users, --user or --sample")
	}
	if u.Sample == "" {
		return nil
	}
	u.sampleTable, u.sampleN = u.Sample, changes.DefaultSample
	if i := strings.LastIndex(u.Sample, ":"); i >= 0 {
		v, err := strconv.Atoi(u.Sample[i+1:])
		if err != nil || v < 1 || v > changes.MaxUsers {
			return fmt.Errorf("--sample %q: want TABLE or TABLE:N, with N from 1 to %d", u.Sample, changes.MaxUsers)
		}
		u.sampleTable, u.sampleN = u.Sample[:i], v
	}
	if u.sampleTable == "" {
		return fmt.Errorf("--sample %q: name the users table", u.Sample)
	}
	return nil
}

// WriteOptions are how a comparison is rendered: masked unless asked, with
// the text both mappings write shown as it is.
func (u *UserFlags) WriteOptions(format string, oldSrc, newSrc []byte) changes.Options {
	return changes.Options{Format: format, ShowValues: u.ShowValues, ShowUsers: u.ShowUsers, Literals: changes.LiteralsOf(oldSrc, newSrc)}
}

// Open opens a mapping's text with the flags' --env.
func (u *UserFlags) Open(name string, src []byte) *workspace.Workspace {
	return workspace.Open(name, src, workspace.Options{Env: workspace.Env{Flags: u.Env}})
}

// OpenRemote opens a mapping's text read from S3 with the flags' --env:
// its tests' files are read from the current folder (workspace.Options.Remote).
func (u *UserFlags) OpenRemote(name string, src []byte) *workspace.Workspace {
	return workspace.Open(name, src, workspace.Options{Env: workspace.Env{Flags: u.Env}, Remote: true})
}

// Comparison is what the flags compare on: their users, and the store
// both mappings read (DynamoDB is opened only when a mapping reads it).
func (u *UserFlags) Comparison() workspace.Comparison {
	return workspace.Comparison{
		Users: workspace.Users{
			Events: u.Events, UsersFile: u.UsersFile, Names: u.Names, TemplateFile: u.Event, Groups: u.Groups,
			SampleTable: u.sampleTable, SampleN: u.sampleN,
			Scanner: func(ctx context.Context) (changes.ScanAPI, error) {
				client, err := awsconfig.NewDynamoDB(ctx)
				if err != nil {
					return nil, fmt.Errorf("DynamoDB: %w", err)
				}
				return client, nil
			},
		},
		AlwaysOpen: u.Data != "",
		OpenStore: func(ctx context.Context) (mapper.Store, error) {
			store, err := OpenStore(ctx, u.Data, nil)
			if err != nil {
				return nil, storeError{err}
			}
			return store, nil
		},
	}
}

// Offline is Comparison for a command that promises to call no AWS
// service (publish --dry-run): the tables the mappings read come from
// --data, and without it a mapping that reads one is refused with how to
// give them, never sent to DynamoDB. --sample, which only DynamoDB can
// answer, is the caller's to refuse with its other flags; here it finds
// no DynamoDB to read the users from.
func (u *UserFlags) Offline(command string) workspace.Comparison {
	c := u.Comparison()
	c.Users.Scanner = nil
	if u.Data == "" {
		c.OpenStore = func(context.Context) (mapper.Store, error) {
			return nil, storeError{fmt.Errorf("claimsmapper %s: the mapping reads DynamoDB, and --dry-run calls no AWS service: pass --data FILE with the items of the users compared", command)}
		}
	}
	return c
}

// storeError is a store that cannot be opened: its message is complete.
type storeError struct{ error }

// CompareError is how a command (diff, or publish and rollback showing the
// change) words a comparison that could not run, under its own name: a
// mapping that does not load and a store that does not open say so
// themselves.
func CompareError(command string, err error) error {
	var old *workspace.OldLoadError
	var nw *workspace.NewLoadError
	var se storeError
	if err == nil || errors.As(err, &old) || errors.As(err, &nw) || errors.As(err, &se) {
		return err
	}
	return fmt.Errorf("claimsmapper %s: %w", command, err)
}
