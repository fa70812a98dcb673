package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
)

// Unavailable stops a test that cannot get a server: a skip outside CI, a
// failure in CI.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (integration servers are required in CI)", msg)
	}
	t.Skipf("%s; skipping (`make test` installs the test servers)", msg)
}

// Integration skips a test under -short: integration tests start servers.
func Integration(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: skipped with -short")
	}
}

var durations = regexp.MustCompile(`took [0-9.]+(ns|µs|ms|s)`)

// MaskDurations replaces the lookup times explain prints ("took 1.2ms"),
// which differ from run to run, so outputs can be compared.
func MaskDurations(s string) string { return durations.ReplaceAllString(s, "took <duration>") }

// RepoRoot is the folder holding go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// FreePort returns a loopback port that was free a moment ago. Servers that
// cannot listen on port 0 and report the port need it; callers retry on a
// clash.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// AWSEnv is the environment that points the AWS SDK at a local endpoint
// and nowhere else: fixed credentials and region, no shared files, no
// instance metadata lookups.
func AWSEnv(dynamoEndpoint string) map[string]string {
	return map[string]string{
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_ENDPOINT_URL_DYNAMODB":   dynamoEndpoint,
	}
}

// nodeServer finds node and the script of an npm package installed in this
// folder's node_modules (npm ci here): the server's command line. A missing
// one stops the test (Unavailable).
func nodeServer(t testing.TB, pkg string, script ...string) (node, cli string) {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cli = filepath.Join(append([]string{root, "internal", "testenv", "node_modules", pkg}, script...)...)
	if _, err := os.Stat(cli); err != nil {
		Unavailable(t, "%s is not installed (run `npm ci` in internal/testenv/)", pkg)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		Unavailable(t, "node is not on PATH: %v", err)
	}
	return node, cli
}
