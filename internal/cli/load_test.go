package cli

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// write writes the files into a new folder and returns its path.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	noSources = "version: 1\ntriggerVersion: V2_0\nclaims:\n  team: '\"blue\"'\n"
	signIn    = `{"version":"1","triggerSource":"TokenGeneration_Authentication","region":"us-east-1","userPoolId":"p","userName":"ben",` +
		`"callerContext":{"awsSdkVersion":"x","clientId":"c"},"request":{"userAttributes":{"sub":"s"},"groupConfiguration":{"groupsToOverride":[]}},"response":{"claimsOverrideDetails":null}}`
	machine = `{"version":"3","triggerSource":"TokenGeneration_ClientCredentials","region":"us-east-1","userPoolId":"p","userName":"c",` +
		`"callerContext":{"awsSdkVersion":"x","clientId":"c"},"request":{"userAttributes":{},"scopes":[]},"response":{}}`
)

func TestEventLoad(t *testing.T) {
	t.Parallel()
	dir := write(t, map[string]string{"m.yaml": noSources, "v1.json": signIn, "m2m.json": machine, "bad.json": "{"})
	at := func(name string) string { return filepath.Join(dir, name) }
	tests := []struct {
		name string
		f    Event
		// err is the whole message, or "" for none; note a line said.
		err, note string
	}{
		{"an event of another version than the mapping's is noted", Event{Mapping: at("m.yaml"), Event: at("v1.json")},
			"", "warning: "},
		{"a missing event says which command could not read it", Event{Mapping: at("m.yaml"), Event: at("none.json")},
			"claimsmapper preview: cannot read the event " + at("none.json") + ": there is no such file", ""},
		{"a broken event names its file", Event{Mapping: at("m.yaml"), Event: at("bad.json")},
			at("bad.json") + ": ", ""},
		{"--user on a machine-to-machine event is refused", Event{Mapping: at("m.yaml"), Event: at("m2m.json"), User: "ben"},
			at("m2m.json") + ": --user: this is a machine-to-machine (client credentials) event, which has no user; use a sign-in event", ""},
		{"a missing mapping", Event{Mapping: at("none.yaml"), Event: at("v1.json")},
			"claimsmapper: cannot read the mapping " + at("none.yaml") + ": there is no such file", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var notes []string
			in, err := tt.f.Load(context.Background(), "claimsmapper preview", nil, slog.New(slog.DiscardHandler), func(s string) { notes = append(notes, s) })
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.err == "":
				if in.Event.UserName != "ben" || in.EventPath != tt.f.Event || len(in.MissingAttributes()) != 0 {
					t.Errorf("input %+v", in)
				}
			case err == nil || !strings.HasPrefix(err.Error(), tt.err) || (!strings.HasSuffix(tt.err, ": ") && err.Error() != tt.err):
				t.Errorf("error %v, want %q", err, tt.err)
			}
			if tt.note != "" && (len(notes) != 1 || !strings.HasPrefix(notes[0], tt.note) || !strings.Contains(notes[0], "add --version 2")) {
				t.Errorf("notes %q", notes)
			}
		})
	}
}

func TestEnvHint(t *testing.T) {
	t.Parallel()
	base := errors.New("m.yaml: bad")
	// The name travels in the finding: a reworded message keeps the hint.
	unset := config.Finding{Severity: config.SevError, Rule: "env-unset", Var: "TABLE", Message: "some words"}
	listed := config.Finding{Severity: config.SevError, Rule: "env-not-allowed", Var: "INDEX", Message: "other words"}
	warned := unset
	warned.Severity = config.SevWarning
	tests := []struct {
		name string
		fs   []config.Finding
		want string
	}{
		{"no finding about ${NAME} adds nothing", nil, "m.yaml: bad"},
		{"a warning adds nothing", []config.Finding{warned}, "m.yaml: bad"},
		{"an unset name, said once", []config.Finding{unset, unset},
			"m.yaml: bad\ngive the value on the command line: --env TABLE=VALUE (or with --data, an inline test's env: is used)"},
		{"a name not allowed, then an unset one", []config.Finding{unset, listed},
			"m.yaml: bad\non the command line, list the names as the function's operator does and give their values: " + config.EnvAllowVar + "=INDEX claimsmapper ... --env INDEX=VALUE\n" +
				"give the value on the command line: --env TABLE=VALUE (or with --data, an inline test's env: is used)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := envHint(base, tt.fs)
			if err.Error() != tt.want || !errors.Is(err, base) {
				t.Errorf("got %q\nwant %q", err, tt.want)
			}
		})
	}
}

// The findings config gives for ${NAME} name it, so the hint is given
// for a real mapping, not only for findings written by hand.
func TestEnvHintOfARealMapping(t *testing.T) {
	t.Parallel()
	src := []byte("version: 1\nsources:\n  user:\n    table: ${TABLE}\n    key: { userName: event.userName }\n  org:\n    table: ${ORGS}\n    key: { id: user.Org }\nclaims:\n  a: user.A\n  b: org.B\n")
	m, fs := config.Parse("m.yaml", src, config.Options{})
	if config.Errors(fs) != nil {
		t.Fatal(fs)
	}
	_, fs = m.Bind(config.Env{Lookup: func(string) (string, bool) { return "", false }, Allow: []string{"TABLE"}})
	got := envHint(errors.New("m.yaml: bad"), fs).Error()
	for _, want := range []string{config.EnvAllowVar + "=ORGS claimsmapper ... --env ORGS=VALUE", "give the value on the command line: --env TABLE=VALUE"} {
		if !strings.Contains(got, want) {
			t.Errorf("got %q\nwant it to contain %q", got, want)
		}
	}
}

func TestDescribeEventError(t *testing.T) {
	t.Parallel()
	if got := DescribeEventError(errors.New("plain")); got != "plain" {
		t.Errorf("plain error: %q", got)
	}
	ee := &mapper.EventError{Public: "claim failed", Rule: "claims.x", Err: errors.New("division by zero")}
	if got := DescribeEventError(ee); !strings.HasPrefix(got, "the event failed: ") {
		t.Errorf("event error: %q", got)
	}
}

func TestLoadForDeploy(t *testing.T) {
	t.Parallel()
	dir := write(t, map[string]string{"m.yaml": noSources, "bad.yaml": "version: 1\nclaims:\n  x: usr.y\n"})
	if mp, err := LoadForDeploy("trigger-version", filepath.Join(dir, "m.yaml"), Env{}, nil); err != nil || mp.Mapping().TriggerVersion != "V2_0" {
		t.Errorf("good mapping: %v", err)
	}
	missing := filepath.Join(dir, "none.yaml")
	if _, err := LoadForDeploy("iam-policy", missing, Env{}, nil); err == nil || err.Error() != "claimsmapper iam-policy: cannot read the mapping "+missing+": there is no such file" {
		t.Errorf("missing mapping: %v", err)
	}
	bad := filepath.Join(dir, "bad.yaml")
	var ce *config.Error
	if _, err := LoadForDeploy("iam-policy", bad, Env{}, nil); !errors.As(err, &ce) ||
		!strings.HasSuffix(err.Error(), "\nclaimsmapper iam-policy: the mapping is invalid: fix it (claimsmapper lint "+bad+" says how), or pass --env NAME=VALUE for each ${NAME} it uses") {
		t.Errorf("invalid mapping: %v", err)
	}
}

func TestUsersCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		u    UserFlags
		err  string
		// table and n are --sample, parsed.
		table string
		n     int
	}{
		{"no users is refused", UserFlags{}, "say which users to compare with --events, --users, --user or --sample", "", 0},
		{"a user name is enough", UserFlags{Names: Strings{"ben"}}, "", "", 0},
		{"a sample takes the default size", UserFlags{Sample: "Users"}, "", "Users", 100},
		{"a sample takes a size", UserFlags{Sample: "my:table:7"}, "", "my:table", 7},
		{"a size out of range is refused", UserFlags{Sample: "Users:0"}, `--sample "Users:0": want TABLE or TABLE:N, with N from 1 to`, "", 0},
		{"a sample needs a table", UserFlags{Sample: ":5"}, `--sample ":5": name the users table`, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.u.Check()
			switch {
			case tt.err != "":
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Errorf("err %v, want %q", err, tt.err)
				}
			case err != nil:
				t.Errorf("err %v", err)
			case tt.u.sampleTable != tt.table || (tt.table != "" && tt.u.sampleN != tt.n):
				t.Errorf("sample %q %d", tt.u.sampleTable, tt.u.sampleN)
			}
		})
	}
}

func TestCompareError(t *testing.T) {
	t.Parallel()
	if CompareError("diff", nil) != nil {
		t.Error("nil is not nil")
	}
	if got := CompareError("diff", errors.New("no users")); got.Error() != "claimsmapper diff: no users" {
		t.Errorf("got %q", got)
	}
	// A store that does not open says so completely, without the prefix.
	u := UserFlags{Data: filepath.Join(t.TempDir(), "none.yaml")}
	_, err := u.Comparison().OpenStore(context.Background())
	if got := CompareError("diff", err); got == nil || !strings.HasPrefix(got.Error(), "claimsmapper: cannot read the data file ") {
		t.Errorf("store error: %v", got)
	}
}
