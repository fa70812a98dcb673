package main

import (
	"os"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

const tools = "testdata/tools/"

func TestToolsGoldenOutput(t *testing.T) {
	tests := []struct {
		name string
		// env sets UNSET_TABLE_FOR_TESTS, which is otherwise unset.
		env    string
		args   []string
		code   int
		golden string
		// stderr is a substring stderr must hold; "" means stderr must be empty.
		stderr string
	}{
		{"the seed mapping's own tests pass", "", []string{"test", seedMapping}, 0, "test-seed.txt", ""},
		{"failing tests print what differed and exit 1", "", []string{"test", tools + "failing.yaml"}, 1, "test-failing.txt", ""},
		{"--run picks tests by name, even after the file", "", []string{"test", tools + "failing.yaml", "--run", "wrong name"}, 1, "test-run.txt", ""},
		{"--format junit writes JUnit XML", "", []string{"test", "--format", "junit", tools + "failing.yaml"}, 1, "test-junit.xml", ""},
		{"preview marks what the mapping changed", "", []string{"preview", "--mapping", tools + "mapping.yaml", "--event", tools + "v2.json", "--data", tools + "data.yaml"}, 0, "preview-v2.txt", "claim omitted"},
		{"preview prints the payloads as JSON", "", []string{"preview", "--format", "json", "--mapping", tools + "mapping.yaml", "--event", tools + "v2.json", "--data", tools + "data.yaml"}, 0, "preview-v2.json", "claim omitted"},
		{"a V1 preview changes the ID token only", "", []string{"preview", "--mapping", tools + "mapping.yaml", "--event", tools + "v1.json", "--data", tools + "data.yaml"}, 0, "preview-v1.txt", "claim omitted"},
		{"a client-credentials preview has no ID token", "", []string{"preview", "--format", "json", "--mapping", tools + "mapping.yaml", "--event", tools + "v3.json", "--data", tools + "data.yaml"}, 0, "preview-v3.json", "claim omitted"},
		{"explain shows every lookup and rule", "", []string{"explain", "--mapping", tools + "mapping.yaml", "--event", tools + "v2.json", "--data", tools + "data.yaml"}, 0, "explain-v2.txt", "claim omitted"},
		{"explain shows why a failed event failed", "Missing", []string{"explain", "--mapping", tools + "failing.yaml", "--event", tools + "v1.json", "--data", tools + "data.yaml"}, 1, "explain-failed.txt", ""},
		{"test help", "", []string{"test", "-h"}, 0, "help-test.txt", ""},
		{"preview help", "", []string{"preview", "-h"}, 0, "help-preview.txt", ""},
		{"explain help", "", []string{"explain", "-h"}, 0, "help-explain.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("UNSET_TABLE_FOR_TESTS", tt.env)
			if tt.env == "" {
				os.Unsetenv("UNSET_TABLE_FOR_TESTS")
			}
			code, out, errOut := execCLI(t, "", tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			if (tt.stderr == "" && errOut != "") || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q, want it to hold %q", errOut, tt.stderr)
			}
			goldenText(t, tt.golden, testenv.MaskDurations(out))
		})
	}
}

func TestToolsUsageErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"test needs a file", []string{"test"}, 2, "name at least one mapping file"},
		{"test rejects an unknown format", []string{"test", "--format", "xml", seedMapping}, 2, `--format should be text or junit, not "xml"`},
		{"test rejects a bad regular expression", []string{"test", "--run", "(", seedMapping}, 2, "--run is not a valid regular expression"},
		{"test exits 2 when the tests do not load", []string{"test", "../../internal/inlinetest/testdata/badtests.yaml"}, 2, `tests["first"].evnt: unknown key "evnt"`},
		{"test exits 2 when the mapping does not load", []string{"test", tools + "missing.yaml"}, 2, "cannot read the mapping"},
		{"preview needs --mapping and --event", []string{"preview", "--mapping", seedMapping}, 2, "--mapping and --event are required"},
		{"preview rejects an unknown format", []string{"preview", "--format", "yaml", "--mapping", tools + "mapping.yaml", "--event", tools + "v2.json", "--data", tools + "data.yaml"}, 2, "--format should be text or json"},
		{"explain reports an invalid event", []string{"explain", "--mapping", tools + "mapping.yaml", "--event", tools + "data.yaml", "--data", tools + "data.yaml"}, 1, "the event is not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := execCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d (want %d), stderr:\n%s\nwant it to hold %q", code, tt.code, errOut, tt.stderr)
			}
		})
	}
}
