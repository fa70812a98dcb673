package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Users names the users a comparison runs for: every source given adds its
// users, events first.
type Users struct {
	// Events are Cognito event files, or folders of them (--events).
	Events []string
	// Raw are events already read, such as the studio's samples; one that
	// does not decode is left out.
	Raw [][]byte
	// UsersFile is --users FILE[:TABLE]: a list of users, or a data file
	// whose user table lists them.
	UsersFile string
	// Names are user names, put into the template as UsersFile's are.
	Names []string
	// SampleTable and SampleN are --sample TABLE:N, read through Scanner.
	SampleTable string
	SampleN     int
	Scanner     func(context.Context) (changes.ScanAPI, error)
	// Template is the event the users of UsersFile, Names and SampleTable
	// sign in with, read from TemplateFile when that is set; nil is
	// changes.DefaultTemplate.
	Template     []byte
	TemplateFile string
	// Groups, when set, are the groups those users are in (event.groups),
	// in place of the template's.
	Groups []string
}

// Cases gathers the sign-ins to compare. mappings say how a user is found
// (which table, which key), the newest last.
func (u Users) Cases(ctx context.Context, mappings ...*config.Mapping) ([]changes.Case, error) {
	var cases []changes.Case
	if len(u.Events) > 0 {
		c, err := changes.Events(u.Events)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c...)
	}
	for _, raw := range u.Raw {
		if c, ok := RawCase(raw); ok {
			cases = append(cases, c)
		}
	}
	var keys []changes.Key
	if u.UsersFile != "" {
		k, err := changes.UsersFromFile(u.UsersFile, mappings)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k...)
	}
	for _, n := range u.Names {
		keys = append(keys, changes.NameKey(n, mappings))
	}
	if u.SampleTable != "" {
		k, err := u.sample(ctx, mappings)
		if err != nil {
			return nil, fmt.Errorf("--sample: %w", err)
		}
		keys = append(keys, k...)
	}
	if len(keys) == 0 {
		return cases, nil
	}
	template := u.Template
	if u.TemplateFile != "" {
		raw, err := os.ReadFile(u.TemplateFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read the event %s: %s", u.TemplateFile, inlinetest.PlainIOError(err))
		}
		template = raw
	}
	if template == nil {
		template = changes.DefaultTemplate
	}
	if len(u.Groups) > 0 {
		var err error
		if template, err = changes.WithGroups(template, u.Groups); err != nil {
			return nil, u.templateError(fmt.Errorf("the template event: %w", err))
		}
	}
	c, err := changes.Expand(template, keys)
	if err != nil {
		return nil, u.templateError(err)
	}
	return append(cases, c...), nil
}

// templateError names the template's file in err, when it was read from
// one: a template given as bytes (the studio's first sample event) has no
// name but the one err gives it ("the template event: …").
func (u Users) templateError(err error) error {
	if u.TemplateFile == "" {
		return err
	}
	return fmt.Errorf("%s: %w", u.TemplateFile, err)
}

func (u Users) sample(ctx context.Context, mappings []*config.Mapping) ([]changes.Key, error) {
	if u.Scanner == nil {
		return nil, errors.New("no DynamoDB to read the users from")
	}
	api, err := u.Scanner(ctx)
	if err != nil {
		return nil, err
	}
	n := u.SampleN
	if n == 0 {
		n = changes.DefaultSample
	}
	return changes.Sample(ctx, api, changes.UserTableOf(u.SampleTable, mappings), n)
}

// RawCase is the sign-in of one event's JSON, named as diff names users:
// its user name, or the client id of a client-credentials event.
func RawCase(raw []byte) (changes.Case, bool) {
	ev, err := mapper.DecodeEvent(raw)
	if err != nil {
		return changes.Case{}, false
	}
	user := ev.UserName
	if ev.ClientCredentials() {
		user = ev.ClientID
	}
	return changes.Case{User: user, Event: ev}, true
}

// TableLister lists a table's items, and false when there is no such
// table; localdata.Data is one.
type TableLister interface {
	Rows(table string) ([]mapper.Item, bool)
}

// DataUsers lists the users in local data: the users of the table the
// mapping reads the signing-in user from, found as diff finds it, each by
// its key's label (its user name, or the sub or other attribute the table
// is keyed by). changes.NameKey turns a label back into the user's key.
func DataUsers(m *config.Mapping, data TableLister) []string {
	if data == nil || m == nil {
		return nil
	}
	ut, ok := changes.FindUserTable(m, "")
	if !ok {
		return nil
	}
	items, _ := data.Rows(ut.Table)
	keys, _ := changes.KeysFromItems(items, ut)
	var names []string
	for _, k := range keys {
		if n := k.Label(); n != "" && len(names) < changes.MaxUsers {
			names = append(names, n)
		}
	}
	return names
}

// OldLoadError is a comparison refused because the old mapping does not
// load (with today's rules, or without a variable it needs): replacing it
// is what a fix does, so the gate goes on without the comparison.
type OldLoadError struct{ Err error }

func (e *OldLoadError) Error() string { return "the old mapping does not load:\n" + e.Err.Error() }
func (e *OldLoadError) Unwrap() error { return e.Err }

// NewLoadError is a comparison refused because the new mapping does not load.
type NewLoadError struct{ Err error }

func (e *NewLoadError) Error() string { return "the new mapping does not load:\n" + e.Err.Error() }
func (e *NewLoadError) Unwrap() error { return e.Err }

// Comparison says what a comparison runs on.
type Comparison struct {
	Users Users
	// OpenStore opens where both mappings' sources read from. It is called
	// only when one of them has sources, or when AlwaysOpen is set (a data
	// file was named, and should be read even if nothing needs it); nil
	// leaves each mapper its own store.
	OpenStore  func(context.Context) (mapper.Store, error)
	AlwaysOpen bool
}

// Compare compiles before and after against one store and compares them
// for the users cmp names, as `claimsmapper diff` does.
func Compare(ctx context.Context, before, after *Workspace, cmp Comparison) (*changes.Report, error) {
	quiet := slog.New(slog.DiscardHandler)
	mb, err := before.Mapper(nil, quiet)
	if err != nil {
		return nil, &OldLoadError{err}
	}
	ma, err := after.Mapper(nil, quiet)
	if err != nil {
		return nil, &NewLoadError{err}
	}
	if cmp.OpenStore != nil && (mb.HasSources() || ma.HasSources() || cmp.AlwaysOpen) {
		store, err := cmp.OpenStore(ctx)
		if err != nil {
			return nil, err
		}
		mb, ma = mb.WithStore(store), ma.WithStore(store)
	}
	cases, err := cmp.Users.Cases(ctx, mb.Mapping(), ma.Mapping())
	if err != nil {
		return nil, err
	}
	return changes.Compare(ctx, mb, ma, cases)
}
