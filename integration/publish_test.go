package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestRollbackReachesARunningFunction publishes two mappings with the CLI
// and rolls the second back, against a versioned S3 API server, while the
// function runs under the Lambda emulator with CLAIMS_MAPPING_REFRESH: each
// change reaches the running function at its next check.
func TestRollbackReachesARunningFunction(t *testing.T) {
	testenv.Integration(t)
	bin := testenv.BuildCLI(t, t.TempDir())
	s3 := testenv.StartVersionedS3(t)
	s3.CreateBucket(t, "maps", true)
	const uri = "s3://maps/live.yaml"
	event := readFile(t, "../testdata/seed/event.json")

	envMap := testenv.AWSEnv("http://127.0.0.1:9")
	for k, v := range s3.Env() {
		envMap[k] = v
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	for k, v := range envMap {
		env = append(env, k+"="+v)
	}
	dir := t.TempDir()
	publish := func(version string) {
		t.Helper()
		file := filepath.Join(dir, version+".yaml")
		if err := os.WriteFile(file, []byte(constMapping(version)), 0o644); err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runBinary(t, bin, env, "publish", "--yes", "--author", "ops", "--message", "mapping "+version, file, uri)
		if code != 0 {
			t.Fatalf("publish %s: exit %d\n%s%s", version, code, out, errOut)
		}
	}
	publish("A")

	const refresh = time.Second
	envMap["CLAIMS_MAPPING_URI"] = uri
	envMap["CLAIMS_MAPPING_REFRESH"] = refresh.String()
	envMap["LOG_LEVEL"] = "info"
	envMap["AWS_LAMBDA_FUNCTION_TIMEOUT"] = "5"
	fn := testenv.StartFunction(t, bin, envMap)
	if got := mappingVersion(t, fn.Invoke(t, "first", event), fn); got != "A" {
		t.Fatalf("the function served %q, want A", got)
	}

	// served waits for the function to serve want, invoking it since the
	// check for a new version only runs while it serves.
	served := func(want string) { t.Helper(); untilServed(t, fn, event, "poll-"+want+"-", want) }
	publish("B")
	served("B")

	out, errOut, code := runBinary(t, bin, env, "rollback", "--yes", "--author", "ops", uri)
	if code != 0 || !strings.Contains(out, "rolling back "+uri) {
		t.Fatalf("rollback: exit %d\n%s%s", code, out, errOut)
	}
	served("A")
	reloaded := false
	for _, line := range strings.Split(fn.Output(), "\n") {
		if strings.Contains(line, `"trigger":"refresh"`) && strings.Contains(line, `"sha256":"`+sum(constMapping("A"))+`"`) {
			reloaded = true
		}
	}
	if !reloaded {
		t.Errorf("the function did not log loading A again on refresh:\n%s", fn.Output())
	}

	out, _, code = runBinary(t, bin, env, "history", uri)
	if code != 0 || strings.Count(out, "ops") != 3 || !strings.Contains(out, "rollback to version") {
		t.Errorf("history: exit %d\n%s", code, out)
	}
}
