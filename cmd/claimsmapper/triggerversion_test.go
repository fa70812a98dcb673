package main

import (
	"os"
	"strings"
	"testing"
)

func TestTriggerVersion(t *testing.T) {
	os.Unsetenv("UNSET_TABLE_FOR_TESTS")
	tests := []struct {
		name        string
		stdin       string
		args        []string
		code        int
		stdout      string
		stderrHolds string
		stderrEmpty bool
	}{
		{"prints the mapping's triggerVersion", "", []string{"trigger-version", tools + "mapping.yaml"}, 0, "V2_0\n", "", true},
		{"reads standard input", "version: 1\ntriggerVersion: V3_0\nclaims:\n  a: {const: x}\n", []string{"trigger-version", "-"}, 0, "V3_0\n", "", true},
		{"prints nothing and says so when the mapping does not say", "", []string{"trigger-version", seedMapping, "--env", "TABLE_NAME=Users"}, 0, "", "the mapping has no triggerVersion", false},
		{"a ${NAME} takes its --env value", "version: 1\ntriggerVersion: V1_0\nsources:\n  u: {table: '${UNSET_TABLE_FOR_TESTS}', key: {id: event.userName}}\nclaims:\n  a: u.a\n",
			[]string{"trigger-version", "--env", "UNSET_TABLE_FOR_TESTS=Users", "-"}, 0, "V1_0\n", "", true},
		{"an invalid mapping prints no version", "version: 1\ntriggerVersion: V2_0\nclaims:\n  a: usr.x\n", []string{"trigger-version", "-"}, 1, "", `unknown name "usr"`, false},
		{"an unknown triggerVersion is the mapping's error", "version: 1\ntriggerVersion: V4_0\nclaims:\n  a: {const: x}\n", []string{"trigger-version", "-"}, 1, "", `triggerVersion "V4_0" is not a Cognito trigger version`, false},
		{"one mapping file is required", "", []string{"trigger-version"}, 2, "", "name one mapping file", false},
		{"a missing file", "", []string{"trigger-version", tools + "missing.yaml"}, 1, "", "cannot read the mapping", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := execCLI(t, tt.stdin, tt.args...)
			if code != tt.code || out != tt.stdout {
				t.Errorf("exit %d (want %d), stdout %q (want %q); stderr:\n%s", code, tt.code, out, tt.stdout, errOut)
			}
			if !strings.Contains(errOut, tt.stderrHolds) || (tt.stderrEmpty && errOut != "") {
				t.Errorf("stderr %q, want it to hold %q", errOut, tt.stderrHolds)
			}
		})
	}
}

func TestTriggerVersionHelp(t *testing.T) {
	code, out, errOut := execCLI(t, "", "trigger-version", "-h")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	goldenText(t, "help-trigger-version.txt", out)
}
