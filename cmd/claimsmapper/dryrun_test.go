package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// noAWS points every AWS client at a server that counts what it is asked,
// with no region, credentials or configuration files, and returns the count.
func noAWS(t *testing.T) *atomic.Int64 {
	t.Helper()
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.Error(w, "no", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": srv.URL, "AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED": "true", "HOME": dir,
	} {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_STS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	return &calls
}

// gitSeed makes a git repository whose m/ holds the seed scenario, committed,
// then the mapping edited to add a claim for admins; the test runs in m/.
func gitSeed(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git := testenv.Git(t, dir)
	m := filepath.Join(dir, "m")
	os.MkdirAll(m, 0o755)
	for _, f := range []string{seedMapping, seedEvent, seedData} {
		os.WriteFile(filepath.Join(m, filepath.Base(f)), []byte(mustRead(t, f)), 0o644)
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "seed")
	os.WriteFile(filepath.Join(m, "mapping.yaml"), []byte(mustRead(t, "testdata/someusers/admin.yaml")), 0o644)
	t.Chdir(m)
	return m
}

func TestPublishDryRunChecksAndShowsWithoutAWS(t *testing.T) {
	calls := noAWS(t)
	gitSeed(t)
	t.Setenv("CLAIMS_MAPPING_ENV", "TABLE_NAME")
	code, out, errOut := execCLI(t, "", "publish", "--dry-run", "--message", "admins get is_admin",
		"--env", "TABLE_NAME=SampleUsers", "--data", "users.yaml", "--user", "jdoe", "--group", "admins", "--show-users",
		"mapping.yaml", "s3://mappings/prod/mapping.yaml")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"lint: ok", "tests: ",
		"--- git:HEAD", "+   11    is_admin:", // the lines, against the last commit
		"jdoe", "+ claim is_admin: true", // the user's tokens
		"dry run: publish would upload mapping.yaml", "as a new version of s3://mappings/prod/mapping.yaml",
		`the message "admins get is_admin"`, "Nothing was written and no AWS service was called.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the dry run made %d AWS requests", n)
	}

	// --against names the old version: a file here.
	os.WriteFile("old.yaml", []byte(mustRead(t, "mapping.yaml")), 0o644)
	code, out, _ = execCLI(t, "", "publish", "--dry-run", "--against", "old.yaml", "--env", "TABLE_NAME=SampleUsers", "mapping.yaml", "s3://mappings/prod/mapping.yaml")
	if code != 0 || strings.Contains(out, "is_admin:") || !strings.Contains(out, "would upload") {
		t.Errorf("--against the same text: exit %d\n%s", code, out)
	}

	// A comparison that cannot run is said under publish's own name.
	os.WriteFile("changed.yaml", []byte(strings.Replace(mustRead(t, "mapping.yaml"), "is_admin", "admin", 1)), 0o644)
	os.WriteFile("event.json", []byte("{}"), 0o644)
	code, _, errOut = execCLI(t, "", "publish", "--dry-run", "--against", "old.yaml", "--env", "TABLE_NAME=SampleUsers", "--data", "users.yaml", "--events", "event.json", "changed.yaml", "s3://mappings/prod/mapping.yaml")
	if code != 2 || !strings.HasPrefix(errOut, "claimsmapper publish: event.json: the event has no \"version\" field") {
		t.Errorf("a comparison that cannot run: exit %d, stderr %q", code, errOut)
	}

	// The dry run refuses what the gate refuses, and exits 1.
	os.WriteFile("mapping.yaml", []byte("version: 1\nclaims:\n  a: usr.name\n"), 0o644)
	code, _, errOut = execCLI(t, "", "publish", "--dry-run", "mapping.yaml", "s3://mappings/prod/mapping.yaml")
	if code != 1 || !strings.Contains(errOut, "refused: lint found 1 errors") {
		t.Errorf("a mapping lint refuses: exit %d, stderr %q", code, errOut)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d AWS requests", n)
	}
	if code, _, errOut := execCLI(t, "", "publish", "--against", "old.yaml", "mapping.yaml", "s3://mappings/prod/mapping.yaml"); code != 2 || !strings.Contains(errOut, "--against goes with --dry-run") {
		t.Errorf("--against without --dry-run: exit %d, %q", code, errOut)
	}
	// Standard input is read once: as the mapping, or as the old version.
	if code, out, errOut := execCLI(t, "version: 1\nclaims: {}\n", "publish", "--dry-run", "--against", "-", "-", "s3://mappings/prod/mapping.yaml"); code != 2 || out != "" || !strings.Contains(errOut, "only one of FILE and --against can read standard input") {
		t.Errorf("--against - with FILE -: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// A dry run compares users on --data only: with credentials and a region
// that would reach DynamoDB, a mapping that reads a table is refused with
// how to give its items, and --sample before anything is read.
func TestPublishDryRunNeverReadsDynamoDB(t *testing.T) {
	calls := noAWS(t)
	gitSeed(t)
	for k, v := range map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "CLAIMS_MAPPING_ENV": "TABLE_NAME"} {
		t.Setenv(k, v)
	}
	code, _, errOut := execCLI(t, "", "publish", "--dry-run", "--env", "TABLE_NAME=SampleUsers", "--user", "jdoe", "mapping.yaml", "s3://mappings/prod/mapping.yaml")
	if code != 2 || errOut != "claimsmapper publish: the mapping reads DynamoDB, and --dry-run calls no AWS service: pass --data FILE with the items of the users compared\n" {
		t.Errorf("a mapping that reads a table, without --data: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut := execCLI(t, "", "publish", "--dry-run", "--env", "TABLE_NAME=SampleUsers", "--sample", "SampleUsers", "mapping.yaml", "s3://mappings/prod/mapping.yaml")
	if code != 2 || out != "" || !strings.Contains(errOut, "--sample reads its users from DynamoDB, and --dry-run calls no AWS service") {
		t.Errorf("--sample: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Without users, the hint offers what a dry run can compare on.
	code, out, errOut = execCLI(t, "", "publish", "--dry-run", "--env", "TABLE_NAME=SampleUsers", "mapping.yaml", "s3://mappings/prod/mapping.yaml")
	if code != 0 || !strings.Contains(out, "(pass --events, --users or --user, with --data for the tables the mapping reads, to see which users' tokens change)") || strings.Contains(out, "--sample") {
		t.Errorf("the hint of a dry run without users: exit %d\n%s%s", code, out, errOut)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the dry runs made %d AWS requests", n)
	}
}

// Without --dry-run, lint and the tests run before AWS is asked anything,
// and a missing region or credentials is said in words with the fix.
func TestPublishChecksLocallyBeforeAWSAndSaysWhatIsMissing(t *testing.T) {
	calls := noAWS(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nclaims:\n  a: usr.name\n"), 0o644)
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("version: 1\nclaims:\n  a: event.userName\n"), 0o644)

	code, _, errOut := execCLI(t, "", "publish", "--yes", bad, uri)
	if code != 1 || !strings.Contains(errOut, "refused: lint found") || strings.Contains(errOut, "region") {
		t.Errorf("a lint error without a region: exit %d, stderr %q", code, errOut)
	}
	code, out, errOut := execCLI(t, "", "publish", "--yes", good, uri)
	if code != 2 || !strings.Contains(out, "lint: ok") ||
		!strings.Contains(errOut, "no AWS region is set: set AWS_REGION") || !strings.Contains(errOut, "publish --dry-run needs neither") {
		t.Errorf("no region: exit %d\nstdout %q\nstderr %q", code, out, errOut)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	code, _, errOut = execCLI(t, "", "publish", "--yes", good, uri)
	if code != 2 || !strings.Contains(errOut, "no AWS credentials were found: set AWS_PROFILE") || strings.Contains(errOut, "IMDS") || !strings.Contains(errOut, "publish --dry-run needs neither") {
		t.Errorf("no credentials: exit %d, stderr %q", code, errOut)
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("%d requests reached AWS without credentials", n)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	code, _, errOut = execCLI(t, "", "publish", "--yes", good, uri)
	if code != 2 || !strings.Contains(errOut, "AWS refused access") {
		t.Errorf("access denied: exit %d, stderr %q", code, errOut)
	}
}

// diff's OLD may be a git revision: what does my uncommitted edit do.
func TestDiffTakesAGitRevision(t *testing.T) {
	gitSeed(t)
	t.Setenv("CLAIMS_MAPPING_ENV", "TABLE_NAME")
	for _, old := range []string{"git:HEAD", "HEAD:m/mapping.yaml", "git:HEAD:mapping.yaml"} {
		code, out, errOut := execCLI(t, "", "diff", "--show-users", "--show-values", "--env", "TABLE_NAME=SampleUsers", "--data", "users.yaml",
			"--user", "jdoe", "--group", "admins", old, "mapping.yaml")
		if code != 1 || !strings.Contains(out, "jdoe") || !strings.Contains(out, "+ claim is_admin: true") {
			t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", old, code, out, errOut)
		}
	}
	code, _, errOut := execCLI(t, "", "diff", "--user", "jdoe", "git:nosuchbranch", "mapping.yaml")
	if code != 2 || !strings.Contains(errOut, "git has no revision of that name") {
		t.Errorf("an unknown revision: exit %d, stderr %q", code, errOut)
	}
}

// history, rollback and diff's s3:// say what is missing in the same words.
func TestS3CommandsSayWhatIsMissing(t *testing.T) {
	noAWS(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("version: 1\nclaims:\n  a: event.userName\n"), 0o644)
	for _, args := range [][]string{{"history", uri}, {"rollback", "--yes", uri}, {"diff", "--user", "jdoe", uri, good}} {
		code, _, errOut := execCLI(t, "", args...)
		if code != 2 || !strings.Contains(errOut, "no AWS region is set: set AWS_REGION") {
			t.Errorf("%v without a region: exit %d, stderr %q", args, code, errOut)
		}
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	for _, args := range [][]string{{"history", uri}, {"rollback", "--yes", uri}, {"diff", "--user", "jdoe", uri, good}} {
		code, _, errOut := execCLI(t, "", args...)
		if code != 2 || !strings.Contains(errOut, "no AWS credentials were found") {
			t.Errorf("%v without credentials: exit %d, stderr %q", args, code, errOut)
		}
	}
}
