package main

import (
	"os"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// The flags run, preview and explain share: --env, --version, and the
// inline tests' env: when nothing else sets the mapping's variables.
func TestEventFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		// golden, when set, is the expected stdout.
		golden string
		// stderr is a substring stderr must hold; "" means stderr must be empty.
		stderr string
	}{
		{"--version 2 shows a V1 event's claims in the access token too",
			[]string{"preview", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData, "--env", "TABLE_NAME=SampleUsers", "--version", "2"}, 0, "preview-seed-version2.txt", ""},
		{"the shipped V3 event previews jdoe",
			[]string{"preview", "--format", "json", "--mapping", seedMapping, "--event", "../../testdata/seed/event-v3.json", "--data", seedData, "--env", "TABLE_NAME=SampleUsers"}, 0, "preview-seed-v3.json", ""},
		{"run takes --version and writes the V2 response",
			[]string{"run", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData, "--env", "TABLE_NAME=SampleUsers", "--version", "V2_0"}, 0, "run-seed-version2.json", ""},
		{"without --env, the mapping's tests give the table's name, and stderr says so",
			[]string{"preview", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData}, 0, "",
			`note: using TABLE_NAME=SampleUsers from the env: of the test "ben gets his first and last name" (line 15), since --env is not given and the environment sets none of the mapping's variables`},
		{"without --data nor --env, an unset variable says how to give it",
			[]string{"preview", "--mapping", seedMapping, "--event", seedEvent}, 1, "",
			"give the value on the command line: --env TABLE_NAME=VALUE"},
		{"an event of another version than triggerVersion gets a warning",
			[]string{"explain", "--mapping", tools + "mapping.yaml", "--event", tools + "v1.json", "--data", tools + "data.yaml"}, 0, "",
			`warning: the event is version 1 but the mapping says triggerVersion: V2_0, so this shows the tokens of a user pool whose trigger is V1_0 (the access token does not change and every claim is text); to see V2_0, add --version 2 (or use an event with "version": "2")`},
		{"--user and --group show another user's tokens from the one sample event",
			[]string{"preview", "--mapping", "testdata/someusers/admin.yaml", "--event", seedEvent, "--data", seedData, "--env", "TABLE_NAME=SampleUsers", "--user", "jdoe", "--group", "admins", "--group", "staff"}, 0, "preview-user-group.txt", ""},
		{"run takes --user too",
			[]string{"run", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData, "--env", "TABLE_NAME=SampleUsers", "--user", "jdoe"}, 0, "run-user.json", ""},
		{"explain takes --user, and a mapping that finds users by sub gets the name as the sub",
			[]string{"explain", "--mapping", "testdata/diff/bysub/new.yaml", "--event", seedEvent, "--data", "testdata/diff/bysub/data.yaml", "--user", "u2"}, 0, "explain-user-bysub.txt", ""},
		{"an empty --group is a usage error",
			[]string{"preview", "--mapping", seedMapping, "--event", seedEvent, "--group", ""}, 2, "", "a group name cannot be empty"},
		{"--version 2 silences that warning",
			[]string{"preview", "--mapping", tools + "mapping.yaml", "--event", tools + "v1.json", "--data", tools + "data.yaml", "--version", "2"}, 0, "", "claim omitted"},
		{"--env that is not NAME=VALUE is a usage error",
			[]string{"preview", "--mapping", seedMapping, "--event", seedEvent, "--env", "TABLE_NAME"}, 2, "", `"TABLE_NAME" should be NAME=VALUE, e.g. TABLE_NAME=SampleUsers`},
		{"--env with a bad name is a usage error",
			[]string{"run", "--mapping", seedMapping, "--event", seedEvent, "--env", "1X=a"}, 2, "", `"1X" is not a variable name`},
		{"an unknown --version is a usage error",
			[]string{"explain", "--mapping", seedMapping, "--event", seedEvent, "--version", "4"}, 2, "", `"4" is not a trigger version; use 1, 2 or 3`},
		{"explain says whose item lacks which attribute, and warns about a misspelled one",
			[]string{"explain", "--mapping", tools + "typo.yaml", "--event", tools + "jdoe.json", "--data", tools + "staff.yaml", "--env", "TABLE_NAME=SampleUsers"}, 0, "explain-missing-attribute.txt",
			`warning: testdata/tools/typo.yaml:10:20: claims.department: user.Departmnet: none of the 2 items in SampleUsers has an attribute "Departmnet" (did you mean "Department"?), so it reads as null; the attributes there are "Department", "FirstName", "LastName", "userName" [unknown-attribute]`},
		{"explain shows which error policy applies to each rule, and that an omitted claim failed alone",
			[]string{"explain", "--mapping", tools + "onerror.yaml", "--event", tools + "v2.json"}, 0, "explain-onerror.txt", `msg="claim omitted: its expression failed" rule=claims.nickname`},
		{"preview warns about a misspelled attribute once",
			[]string{"preview", "--mapping", tools + "typo.yaml", "--event", tools + "jdoe.json", "--data", tools + "staff.yaml", "--env", "TABLE_NAME=SampleUsers"}, 0, "",
			`(did you mean "Department"?)`},
		{"run warns about a misspelled attribute too",
			[]string{"run", "--mapping", tools + "typo.yaml", "--event", tools + "jdoe.json", "--data", tools + "staff.yaml", "--env", "TABLE_NAME=SampleUsers"}, 0, "",
			`(did you mean "Department"?)`},
		{"preview shows that under V1 every added claim is text",
			[]string{"preview", "--mapping", tools + "types.yaml", "--event", tools + "v1.json"}, 0, "preview-types-v1.txt", ""},
		{"and that under V2 the same claims keep their types",
			[]string{"preview", "--mapping", tools + "types.yaml", "--event", tools + "v1.json", "--version", "2"}, 0, "preview-types-v2.txt", ""},
		{"a client-credentials event cannot become V1",
			[]string{"preview", "--mapping", seedMapping, "--event", tools + "v3.json", "--env", "TABLE_NAME=SampleUsers", "--data", seedData, "--version", "1"}, 1, "", "client-credentials (machine-to-machine) event, which only version 3 has"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("TABLE_NAME", "")
			os.Unsetenv("TABLE_NAME")
			code, out, errOut := execCLI(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			if (tt.stderr == "" && errOut != "") || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q, want it to hold %q", errOut, tt.stderr)
			}
			if tt.golden != "" {
				goldenText(t, tt.golden, testenv.MaskDurations(out))
			}
		})
	}
}

// --env gives values, never permission: a name CLAIMS_MAPPING_ENV lacks is
// refused as the function would refuse it, with the command line that works.
func TestEnvFlagDoesNotWidenTheAllowList(t *testing.T) {
	t.Setenv("CLAIMS_MAPPING_ENV", "")
	code, _, errOut := execCLI(t, "", "preview", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData, "--env", "TABLE_NAME=SampleUsers")
	want := "on the command line, list the names as the function's operator does and give their values: CLAIMS_MAPPING_ENV=TABLE_NAME claimsmapper ... --env TABLE_NAME=VALUE"
	if code != cli.ExitFailed || !strings.Contains(errOut, want) || !strings.Contains(errOut, "${TABLE_NAME} is not allowed") {
		t.Errorf("exit %d, stderr:\n%s\nwant it to hold %q", code, errOut, want)
	}
}
