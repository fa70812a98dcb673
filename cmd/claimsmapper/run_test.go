package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/golden"
)

// execCLI runs the command line as main would and returns its exit code and output.
func execCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// goldenText compares got with testdata/NAME, or rewrites it under -update.
func goldenText(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, "testdata/"+name, []byte(got))
}

const (
	seedMapping = "../../testdata/seed/mapping.yaml"
	seedEvent   = "../../testdata/seed/event.json"
	seedData    = "../../testdata/seed/users.yaml"
)

func TestRunSeedScenario(t *testing.T) {
	t.Setenv("TABLE_NAME", "SampleUsers")
	code, out, errOut := execCLI(t, "", "run", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(out), &ev); err != nil {
		t.Fatal(err)
	}
	claims := ev["response"].(map[string]any)["claimsOverrideDetails"].(map[string]any)["claimsToAddOrOverride"]
	if got, _ := json.Marshal(claims); string(got) != `{"firstName":"Ben","lastName":"Pyle"}` {
		t.Errorf("claims = %s", got)
	}
	if ev["userPoolId"] != "us-west-2_SAMPLE" {
		t.Errorf("event fields not preserved: %v", ev)
	}
}

func TestRunReadsStandardInput(t *testing.T) {
	t.Setenv("TABLE_NAME", "SampleUsers")
	event, err := os.ReadFile(seedEvent)
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := execCLI(t, string(event), "run", "--mapping", seedMapping, "--event", "-", "--data", seedData)
	if code != 0 || !strings.Contains(out, `"firstName": "Ben"`) {
		t.Errorf("exit %d, out %s", code, out)
	}
}

func TestDataDashReadsStandardInput(t *testing.T) {
	t.Setenv("TABLE_NAME", "SampleUsers")
	data, err := os.ReadFile(seedData)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "preview", "explain"} {
		code, out, errOut := execCLI(t, string(data), cmd, "--mapping", seedMapping, "--event", seedEvent, "--data", "-")
		if code != 0 || !strings.Contains(out, "Ben") {
			t.Errorf("%s: exit %d:\n%s%s", cmd, code, out, errOut)
		}
	}
	code, _, errOut := execCLI(t, string(data), "run", "--mapping", seedMapping, "--event", "-", "--data", "-")
	if code != cli.ExitUsage || !strings.Contains(errOut, "only one of --mapping, --event and --data can read standard input") {
		t.Errorf("two readers of standard input: exit %d, %s", code, errOut)
	}
}

func TestRunExitCodes(t *testing.T) {
	t.Setenv("TABLE_NAME", "SampleUsers")
	dir := t.TempDir()
	write := func(name, content string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badMapping := write("bad.yaml", "version: 1\nclaims:\n  sub: user.x\n")
	failing := write("fail.yaml", "version: 1\nsources:\n  user: { table: Nope, key: { userName: event.userName }, onError: fail }\nclaims:\n  a: user.x\n")
	badEvent := write("event.json", `{"version": "9"}`)
	tests := []struct {
		name     string
		args     []string
		code     int
		stderr   string
		noStdout bool
	}{
		{"no arguments prints usage", nil, 2, "Usage:", true},
		{"an unknown command is a usage error", []string{"frobnicate"}, 2, `unknown command "frobnicate"`, true},
		{"missing flags are a usage error", []string{"run", "--mapping", seedMapping}, 2, "--mapping and --event are required", true},
		{"an unknown flag is a usage error", []string{"run", "--nope"}, 2, "flag provided but not defined", true},
		{"both from standard input is a usage error", []string{"run", "--mapping", "-", "--event", "-"}, 2, "only one of", true},
		{"an invalid mapping exits 1 with its findings", []string{"run", "--mapping", badMapping, "--event", seedEvent, "--data", seedData}, 1, `bad.yaml:3:3: claims.sub: claim "sub" cannot be added`, true},
		{"an invalid event exits 1", []string{"run", "--mapping", seedMapping, "--event", badEvent, "--data", seedData}, 1, `event version "9" is not supported`, true},
		{"a failed event exits 1 with what Cognito would show", []string{"run", "--mapping", failing, "--event", seedEvent, "--data", seedData}, 1, `Cognito would show "could not load your profile, try again"`, true},
		{"a missing file exits 1", []string{"run", "--mapping", dir + "/none.yaml", "--event", seedEvent}, 1, "cannot read the mapping", true},
		{"a missing data file is said in plain words", []string{"run", "--mapping", seedMapping, "--event", seedEvent, "--data", "nope.yaml"}, 1, "cannot read the data file nope.yaml: there is no such file", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := execCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) || (tt.noStdout && out != "") {
				t.Errorf("exit %d (want %d)\nstdout: %s\nstderr: %s\nwant stderr to contain %q", code, tt.code, out, errOut, tt.stderr)
			}
		})
	}
}

func TestHelpTexts(t *testing.T) {
	for _, args := range [][]string{{"help"}, {"run", "-h"}} {
		code, out, _ := execCLI(t, "", args...)
		if code != 0 {
			t.Errorf("%v: exit %d", args, code)
		}
		goldenText(t, "help-"+strings.Join(args, "-")+".txt", out)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := execCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "claimsmapper ") {
		t.Errorf("exit %d, %q", code, out)
	}
}

// TestAMappingWithoutSourcesNeedsNoAWSConfiguration: run, preview, explain
// and test read nothing from DynamoDB for such a mapping, so they must not
// ask for a region or credentials.
func TestAMappingWithoutSourcesNeedsNoAWSConfiguration(t *testing.T) {
	for _, v := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", dir+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/none")
	mapping := dir + "/mapping.yaml"
	if err := os.WriteFile(mapping, []byte("version: 1\nclaims:\n  plan: { const: free }\ntests:\n  - name: plan is free\n    event: event.json\n    expect: { idToken: { plan: free } }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ev, err := os.ReadFile(seedEvent)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir+"/event.json", ev, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"test", mapping},
		{"run", "--mapping", mapping, "--event", seedEvent},
		{"preview", "--mapping", mapping, "--event", seedEvent},
		{"explain", "--mapping", mapping, "--event", seedEvent},
	} {
		t.Run(args[0]+" runs", func(t *testing.T) {
			code, out, errOut := execCLI(t, "", args...)
			if code != cli.ExitOK || !strings.Contains(out, "free") && !strings.Contains(out, "PASS") {
				t.Errorf("exit %d:\n%s%s", code, out, errOut)
			}
		})
	}
}

// make demo runs this: the few claims first, then the whole response.
func TestRunSummaryPrintsTheClaimsBeforeTheResponse(t *testing.T) {
	t.Setenv("TABLE_NAME", "SampleUsers")
	code, out, errOut := execCLI(t, "", "run", "--summary", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	table, response, ok := strings.Cut(out, "{\n")
	if !ok {
		t.Fatalf("no response after the table:\n%s", out)
	}
	goldenText(t, "run-summary.txt", table)
	if !strings.Contains(response, `"firstName": "Ben"`) {
		t.Errorf("the response lacks the claims:\n%s", response)
	}
}
