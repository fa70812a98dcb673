package integration

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestCLIWithDynamoDB runs run, preview and explain without --data, so the
// lookups go to dynalite through the real SDK, and checks they print what
// they print with the same items in a local data file.
func TestCLIWithDynamoDB(t *testing.T) {
	testenv.Integration(t)
	bin := testenv.BuildCLI(t, t.TempDir())
	db := testenv.StartDynamoDB(t)
	loadData(t, db, "../testdata/full/data.yaml")

	env := os.Environ()
	for k, v := range testenv.AWSEnv(db.Endpoint) {
		env = append(env, k+"="+v)
	}
	cli := func(t *testing.T, args ...string) (string, string, int) {
		t.Helper()
		var out, errOut bytes.Buffer
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errOut.String(), code
	}
	base := []string{"--mapping", "../testdata/full/mapping.yaml", "--event", "../testdata/events/v2.json"}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"run", append([]string{"run"}, base...)},
		{"preview", append([]string{"preview", "--format", "json"}, base...)},
		{"explain", append([]string{"explain"}, base...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			remote, errOut, code := cli(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d without --data:\n%s%s", code, remote, errOut)
			}
			local, _, code := cli(t, append(tt.args, "--data", "../testdata/full/data.yaml")...)
			if code != 0 {
				t.Fatalf("exit %d with --data", code)
			}
			if tt.name == "explain" {
				// Lookup times differ; the rest must not.
				remote, local = testenv.MaskDurations(remote), testenv.MaskDurations(local)
			}
			if remote != local {
				t.Errorf("DynamoDB and local data give different output:\n--- DynamoDB\n%s\n--- local\n%s", remote, local)
			}
		})
	}
}
