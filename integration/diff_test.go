package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestDiffSampleFromDynamoDB runs diff --sample against dynalite: the users
// come from a Scan of the users table and the lookups from DynamoDB, and the
// report is the one the same users and items give from local files.
func TestDiffSampleFromDynamoDB(t *testing.T) {
	testenv.Integration(t)
	bin := testenv.BuildCLI(t, t.TempDir())
	db := testenv.StartDynamoDB(t)
	const dir = "../cmd/claimsmapper/testdata/diff/"
	loadData(t, db, dir+"data.yaml")
	env := os.Environ()
	for k, v := range testenv.AWSEnv(db.Endpoint) {
		env = append(env, k+"="+v)
	}
	mappings := []string{dir + "old.yaml", dir + "new.yaml"}

	remote, errOut, code := runBinary(t, bin, env, append([]string{"diff", "--show-values", "--sample", "Users"}, mappings...)...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (users change):\n%s%s", code, remote, errOut)
	}
	// The sample comes sorted by key, so a users file in that order gives
	// the same report from local data.
	users := filepath.Join(t.TempDir(), "users.txt")
	if err := os.WriteFile(users, []byte("ben\ncarol\ndave\nerin\njdoe\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	local, _, _ := runBinary(t, bin, env, append([]string{"diff", "--show-values", "--users", users, "--data", dir + "data.yaml"}, mappings...)...)
	if remote != local {
		t.Errorf("--sample against DynamoDB and --users with local data differ:\n--- sample\n%s\n--- local\n%s", remote, local)
	}
	if !strings.Contains(remote, "5 users examined, 5 changed.") {
		t.Errorf("want every user of the table examined:\n%s", remote)
	}

	capped, errOut, code := runBinary(t, bin, env, append([]string{"diff", "--sample", "Users:2"}, mappings...)...)
	if code != 1 || !strings.Contains(capped, "2 users examined") {
		t.Errorf("--sample Users:2: exit %d, want 2 users examined:\n%s%s", code, capped, errOut)
	}
	// A single-table design: users are the items whose key starts USER#.
	db.Put(t, "AppTable",
		map[string]any{"PK": "USER#ann", "SK": "PROFILE", "plan": "pro"},
		map[string]any{"PK": "USER#bob", "SK": "PROFILE", "plan": "free"},
		map[string]any{"PK": "ORG#acme", "SK": "META", "plan": "corp"})
	single := func(plan string) string {
		p := filepath.Join(t.TempDir(), "m.yaml")
		src := "version: 1\nsources:\n  user:\n    table: AppTable\n    key: { PK: '\"USER#\" + event.userName', SK: '\"PROFILE\"' }\nclaims:\n  plan: " + plan + "\n"
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, errOut, code := runBinary(t, bin, env, "diff", "--show-values", "--sample", "AppTable", single("user.plan"), single(`'user.plan + "!"'`))
	if code != 1 || !strings.Contains(out, "2 users examined, 2 changed.") || !strings.Contains(out, `~ claim plan: "pro" → "pro!"`) || strings.Contains(out, "corp") {
		t.Errorf("--sample of a single-table design: exit %d\n%s%s", code, out, errOut)
	}

	_, errOut, code = runBinary(t, bin, env, append([]string{"diff", "--sample", "Nope"}, mappings...)...)
	if code != 2 || !strings.Contains(errOut, `scan table "Nope"`) {
		t.Errorf("a missing table: exit %d, stderr:\n%s", code, errOut)
	}
}

// runBinary runs the CLI and returns stdout, stderr and the exit code.
func runBinary(t *testing.T, bin string, env []string, args ...string) (string, string, int) {
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
