package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/preview"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Input is what the Event flags name, read: the mapping compiled with its
// store, and the event decoded.
type Input struct {
	Mapper *mapper.Mapper
	// Rows gives the items the mapping runs on, to check the attributes
	// it reads against: every row of a --data table, or the items
	// DynamoDB returned.
	Rows      func(table string) ([]mapper.Item, bool)
	Event     *mapper.Event
	Raw       []byte
	EventPath string
}

// Load reads the mapping, its store and the event the flags name, for the
// command name ("claimsmapper preview"): the event rewritten to --version
// and signed in as --user and --group say. The mapper's warnings go to log;
// note receives, in order, each line the author should read before the
// output (where ${NAME} took their values, an event of another version
// than the mapping's). The error is the complete message.
func (f *Event) Load(ctx context.Context, name string, stdin io.Reader, log *slog.Logger, note func(string)) (*Input, error) {
	mp, rows, err := f.loadMapper(ctx, stdin, log, note)
	if err != nil {
		return nil, err
	}
	raw, err := ReadInput(f.Event, stdin)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the event %s: %s", name, f.Event, inlinetest.PlainIOError(err))
	}
	if raw, err = f.signIn().Rewrite(raw, mp.Mapping()); err != nil {
		var se *workspace.SignInError
		switch {
		case !errors.As(err, &se):
			return nil, fmt.Errorf("%s: %v", f.Event, err)
		case se.Step == "version":
			return nil, fmt.Errorf("%s: --version %s: %v", f.Event, f.Version, se.Err)
		case se.Step == "user":
			return nil, fmt.Errorf("%s: --user %s: %v", f.Event, f.User, se.Err)
		default:
			return nil, fmt.Errorf("%s: --group: %v", f.Event, se.Err)
		}
	}
	ev, err := mapper.DecodeEvent(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", f.Event, err)
	}
	if f.User != "" && ev.ClientCredentials() {
		return nil, fmt.Errorf("%s: --user: this is a machine-to-machine (client credentials) event, which has no user; use a sign-in event", f.Event)
	}
	if w := authoring.VersionMismatch(mp.Mapping().TriggerVersion, ev); w != "" {
		v := mp.Mapping().TriggerVersion[1:2]
		note(fmt.Sprintf("warning: %s; to see %s, add --version %s (or use an event with \"version\": %q)", w, mp.Mapping().TriggerVersion, v, v))
	}
	return &Input{Mapper: mp, Rows: rows, Event: ev, Raw: raw, EventPath: f.Event}, nil
}

// MissingAttributes are the attributes the mapping reads that no item it
// ran on has: a misspelled attribute is otherwise just a missing claim.
func (in *Input) MissingAttributes() []config.Finding {
	return authoring.MissingAttributes(in.Mapper.Mapping().File, in.Mapper.AttributeReads(), in.Rows)
}

// loadMapper reads and compiles a mapping, wired to the local data file when
// one is given and to DynamoDB otherwise. A mapping without sources reads
// nothing, so it needs neither: it runs with no AWS configuration at all.
// Its ${NAME} resolve as f says, which notes when it borrows the inline
// tests' env:.
func (f *Event) loadMapper(ctx context.Context, stdin io.Reader, log *slog.Logger, note func(string)) (mp *mapper.Mapper, rows func(string) ([]mapper.Item, bool), err error) {
	noRows := func(string) ([]mapper.Item, bool) { return nil, false }
	src, err := ReadMapping(f.Mapping, stdin)
	if err != nil {
		return nil, nil, fmt.Errorf("claimsmapper: %w", err)
	}
	// Without --data the lookups go to DynamoDB, where a test's sample
	// table name would read the wrong table, or none.
	ws := workspace.Open(f.Mapping, src, workspace.Options{Env: workspace.Env{Flags: f.Env}, FirstTestEnv: f.Data != ""})
	if n := ws.EnvNote(); n != "" {
		note("note: " + n)
	}
	mp, err = ws.Mapper(nil, log)
	var ce *config.Error
	switch {
	case errors.As(err, &ce):
		return nil, nil, envHint(err, ce.Findings)
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
	store, err := OpenStore(ctx, f.Data, stdin)
	if err != nil {
		return nil, nil, err
	}
	rec := &preview.Recorder{Store: store}
	return mp.WithStore(rec), rec.Rows, nil
}

// DescribeEventError shows a failed event's public message and, since the
// CLI's user is the mapping's author, its cause.
func DescribeEventError(err error) string {
	if ee := (*mapper.EventError)(nil); errors.As(err, &ee) && ee.Err != nil {
		return "the event failed: " + authoring.DescribeError(err)
	}
	return err.Error()
}

// envHint adds to a load error caused by ${NAME} how to fix it on the
// command line: the config's messages are written for the function.
func envHint(err error, fs []config.Finding) error {
	var unset, notAllowed []string
	for _, f := range fs {
		if f.Severity != config.SevError {
			continue
		}
		switch {
		case f.Var == "":
		case f.Rule == "env-unset" && !slices.Contains(unset, f.Var):
			unset = append(unset, f.Var)
		case f.Rule == "env-not-allowed" && !slices.Contains(notAllowed, f.Var):
			notAllowed = append(notAllowed, f.Var)
		}
	}
	var hints []string
	if len(notAllowed) > 0 {
		hints = append(hints, fmt.Sprintf("on the command line, list the names as the function's operator does and give their values: %s=%s claimsmapper ... %s",
			config.EnvAllowVar, strings.Join(notAllowed, ","), envFlags(notAllowed)))
	}
	if len(unset) > 0 {
		hints = append(hints, fmt.Sprintf("give the value on the command line: %s (or with --data, an inline test's env: is used)", envFlags(unset)))
	}
	if len(hints) == 0 {
		return err
	}
	return fmt.Errorf("%w\n%s", err, strings.Join(hints, "\n"))
}

// envFlags is "--env A=VALUE --env B=VALUE" for the names.
func envFlags(names []string) string {
	flags := make([]string, len(names))
	for i, n := range names {
		flags[i] = "--env " + n + "=VALUE"
	}
	return strings.Join(flags, " ")
}

// LoadForDeploy loads a mapping as the function will (CLAIMS_MAPPING_ENV
// from this environment), for the commands a deployment tool runs at synth
// (cmd is the command's name): a ${NAME} takes its --env value, else this
// environment's. The error is the complete message.
func LoadForDeploy(cmd, file string, env Env, stdin io.Reader) (*mapper.Mapper, error) {
	src, err := ReadMapping(file, stdin)
	if err != nil {
		return nil, fmt.Errorf("claimsmapper %s: %w", cmd, err)
	}
	mp, err := workspace.Open(file, src, workspace.Options{Env: workspace.Env{Flags: env}}).Mapper(nil, nil)
	var ce *config.Error
	switch {
	case errors.As(err, &ce):
		return nil, fmt.Errorf("%w\nclaimsmapper %s: the mapping is invalid: fix it (claimsmapper lint %s says how), or pass --env NAME=VALUE for each ${NAME} it uses", err, cmd, file)
	case err != nil:
		return nil, fmt.Errorf("claimsmapper %s: %w", cmd, err)
	}
	return mp, nil
}
