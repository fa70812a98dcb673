package main

import (
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/cli"
)

const diffDir = "testdata/diff/"

func TestDiffGoldenOutput(t *testing.T) {
	t.Parallel()
	old, new := diffDir+"old.yaml", diffDir+"new.yaml"
	data := []string{"--data", diffDir + "data.yaml"}
	tests := []struct {
		name   string
		args   []string
		code   int
		golden string
	}{
		{"events of every version show each token's changes, masked", append([]string{"diff", "--events", diffDir + "events", old, new}, data...), 1, "diff-events.txt"},
		{"--show-values shows the values and type changes", append([]string{"diff", "--show-values", "--events", diffDir + "events", old, new}, data...), 1, "diff-events-values.txt"},
		{"a users list in JSON", append([]string{"diff", "--format", "json", "--users", diffDir + "users.txt", old, new}, data...), 1, "diff-users.json"},
		{"users from a data table in Markdown", append([]string{"diff", "--format", "markdown", "--users", diffDir + "data.yaml", old, new}, data...), 1, "diff-data.md"},
		{"the same mapping changes nobody and exits 0", append([]string{"diff", "--users", diffDir + "users.txt", old, old}, data...), 0, "diff-same.txt"},
		{"no change in Markdown says so", append([]string{"diff", "--format", "markdown", "--users", diffDir + "users.txt", new, new}, data...), 0, "diff-same.md"},
		{"--env names the table of a mapping's ${TABLE_NAME}", []string{"diff", "--env", "TABLE_NAME=SampleUsers", "--users", "../../testdata/seed/users.yaml", "--data", "../../testdata/seed/users.yaml", seedMapping, seedMapping}, 0, "diff-env.txt"},
		{"a users list works for a mapping that finds users by sub", []string{"diff", "--show-values", "--users", diffDir + "bysub/users.txt", "--data", diffDir + "bysub/data.yaml", diffDir + "bysub/old.yaml", diffDir + "bysub/new.yaml"}, 1, "diff-bysub.txt"},
		{"--user and --group compare one named user in a group", []string{"diff", "--show-values", "--show-users", "--env", "TABLE_NAME=SampleUsers", "--data", seedData, "--user", "jdoe", "--group", "admins", seedMapping, "testdata/someusers/admin.yaml"}, 1, "diff-user-group.txt"},
		{"diff help", []string{"diff", "-h"}, 0, "help-diff.txt"},
		{"publish help", []string{"publish", "-h"}, 0, "help-publish.txt"},
		{"history help", []string{"history", "-h"}, 0, "help-history.txt"},
		{"rollback help", []string{"rollback", "-h"}, 0, "help-rollback.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := execCLI(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr %q, want none", errOut)
			}
			goldenText(t, tt.golden, out)
		})
	}
}

func TestDiffErrors(t *testing.T) {
	t.Parallel()
	old, new := diffDir+"old.yaml", diffDir+"new.yaml"
	data := []string{"--data", diffDir + "data.yaml"}
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"only one mapping can come from standard input", []string{"diff", "--users", diffDir + "users.txt", "-", "-"}, "only one of OLD and NEW"},
		{"two mappings are needed", []string{"diff", "--users", diffDir + "users.txt", old}, "name two mappings, OLD and NEW"},
		{"users are needed", []string{"diff", old, new}, "say which users to compare with --events, --users, --user or --sample"},
		{"an unknown format is refused", []string{"diff", "--format", "yaml", "--users", diffDir + "users.txt", old, new}, `--format should be text, json or markdown, not "yaml"`},
		{"a mapping that does not load says where", append([]string{"diff", "--users", diffDir + "users.txt", old, tools + "failing.yaml"}, data...), "the new mapping does not load"},
		{"a missing mapping file", append([]string{"diff", "--users", diffDir + "users.txt", old, diffDir + "missing.yaml"}, data...), "cannot read the mapping"},
		{"a missing events folder", append([]string{"diff", "--events", diffDir + "nothing", old, new}, data...), "cannot read the events"},
		{"an event that is not an event", append([]string{"diff", "--events", diffDir + "data.yaml", old, new}, data...), "data.yaml: the event is not valid JSON"},
		{"a missing template event", append([]string{"diff", "--users", diffDir + "users.txt", "--event", diffDir + "missing.json", old, new}, data...), "cannot read the event " + diffDir + "missing.json: there is no such file\n"},
		{"a bad template event", append([]string{"diff", "--users", diffDir + "users.txt", "--event", diffDir + "users.txt", old, new}, data...), "the template event"},
		{"a users file with two names on a line", append([]string{"diff", "--users", diffDir + "bad-users.txt", old, new}, data...), "bad-users.txt:2: \"jdoe ben\": put one user name or sub per line"},
		{"a table that the data file lacks", append([]string{"diff", "--users", diffDir + "data.yaml:Nope", old, new}, data...), `table "Nope" is not in the data file`},
		{"an unset ${TABLE_NAME} without --env", []string{"diff", "--users", diffDir + "users.txt", "--data", "../../testdata/seed/users.yaml", seedMapping, seedMapping}, "TABLE_NAME"},
		{"a sample size that is not a number", []string{"diff", "--sample", "Users:many", old, new}, `"Users:many": want TABLE or TABLE:N`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := execCLI(t, "", tt.args...)
			if code != cli.ExitUsage || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d (want 2), stderr:\n%s\nwant it to hold %q", code, errOut, tt.stderr)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing on an error", out)
			}
		})
	}
}
