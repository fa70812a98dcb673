package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/cli"
)

func TestStudioUsageErrors(t *testing.T) {
	empty := t.TempDir()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no mapping", []string{"studio", "--no-open"}, cli.ExitUsage, "name one mapping file"},
		{"two mappings", []string{"studio", "--no-open", "a.yaml", "b.yaml"}, cli.ExitUsage, "name one mapping file"},
		{"data that is not there", []string{"studio", "--no-open", "--data", "nope.yaml", seedMapping}, cli.ExitFailed, "cannot read the data file nope.yaml: there is no such file"},
		{"a mapping that is not there", []string{"studio", "--no-open", "--data", "../../testdata/seed/users.yaml", "nope.yaml"}, cli.ExitFailed, "cannot read the mapping nope.yaml: there is no such file"},
		{"an events folder without events", []string{"studio", "--no-open", "--data", "../../testdata/seed/users.yaml", "--events", empty, seedMapping}, cli.ExitFailed, "has no event files"},
		{"events that are not there", []string{"studio", "--no-open", "--data", "../../testdata/seed/users.yaml", "--events", "nope.json", seedMapping}, cli.ExitFailed, "cannot read the events nope.json: there is no such file"},
		{"a bad --env", []string{"studio", "--no-open", "--env", "TABLE", seedMapping}, cli.ExitUsage, "should be NAME=VALUE"},
		{"an address it cannot listen on", []string{"studio", "--no-open", "--data", "../../testdata/seed/users.yaml", "--addr", "256.0.0.1:0", seedMapping}, cli.ExitFailed, "cannot listen on 256.0.0.1:0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut strings.Builder
			code := run(context.Background(), tt.args, strings.NewReader(""), &out, &errOut)
			if code != tt.code || !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and %q", code, errOut.String(), tt.code, tt.stderr)
			}
		})
	}
}

// TestStudioPrintsItsAddressFirstAndStopsWhenAsked runs the command as a
// user does: the first line of standard output is the page's address, the
// API answers there, and the command exits 0 when interrupted.
func TestStudioPrintsItsAddressFirstAndStopsWhenAsked(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var errOut strings.Builder
	go func() {
		done <- run(ctx, []string{"studio", "--no-open", "--data", "../../testdata/seed/users.yaml", "--env", "TABLE_NAME=SampleUsers", seedMapping}, strings.NewReader(""), pw, &errOut)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("no address: %v; stderr:\n%s", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	url := strings.TrimSpace(line)
	base, token, ok := strings.Cut(url, "/?token=")
	if !ok || !strings.HasPrefix(base, "http://127.0.0.1:") {
		t.Fatalf("first line %q is not the page's address", line)
	}
	req, _ := http.NewRequest("GET", base+"/api/session", nil)
	req.Header.Set("X-Studio-Token", token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Errorf("session: %d", res.StatusCode)
	}
	cancel()
	if code := <-done; code != cli.ExitOK {
		t.Errorf("exit %d after an interrupt; stderr:\n%s", code, errOut.String())
	}
}
