package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/cli"
)

// TestBackstopStopsTheCommand runs the commands that evaluate a mapping, in
// a child process built without the cost model (-tags backstoptest: every
// mapping compiles without the evaluation budget), on mappings that run
// away: only the backstop can stop them, and it ends the command with exit
// 1 and a plain message naming the limit and the rule, never a stack.
func TestBackstopStopsTheCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts processes")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "claimsmapper")
	build := exec.Command("go", "build", "-tags", "backstoptest", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	const (
		spin = `let r = 1..50000; sum(r, count(r, # > len(event.userName)))`
		hog  = `let s = repeat(event.userName, 200000); let t = s + s + s + s + s; len(map(1..100000, t + string(#)))`
	)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	spinning := write("spin.yaml", "version: 1\ntimeout: 200ms\nclaims:\n  a: '\"fine\"'\n  b: '"+spin+"'\n")
	hogging := write("hog.yaml", "version: 1\ntimeout: 4s\nclaims:\n  a: '\"fine\"'\n  c: '"+hog+"'\n")
	event := tools + "v2.json"
	tests := []struct {
		name string
		args []string
		env  []string
		want string
	}{
		{"run stops an evaluation past its time", []string{"run", "--mapping", spinning, "--event", event}, nil,
			"claimsmapper: stopped: the evaluation ran past its time (the mapping's timeout) while claims.b was running"},
		{"explain stops it too", []string{"explain", "--mapping", spinning, "--event", event}, nil,
			"claimsmapper: stopped: the evaluation ran past its time (the mapping's timeout) while claims.b was running"},
		{"preview stops it too", []string{"preview", "--mapping", spinning, "--event", event}, nil,
			"claimsmapper: stopped: the evaluation ran past its time (the mapping's timeout) while claims.b was running"},
		{"run stops an evaluation that fills the function's memory", []string{"run", "--mapping", hogging, "--event", event},
			[]string{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128"},
			"claimsmapper: stopped: the evaluation took more than 80 MiB of memory while claims.c was running"},
		{"GOMEMLIMIT sets the ceiling when the function's memory is not given", []string{"run", "--mapping", hogging, "--event", event},
			[]string{"GOMEMLIMIT=140MiB"},
			"claimsmapper: stopped: the evaluation took more than 100 MiB of memory while claims.c was running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			cmd.Env = append(os.Environ(), tt.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			code := exitCode(t, cmd.Run())
			if code != cli.ExitFailed {
				t.Errorf("exit %d, want %d", code, cli.ExitFailed)
			}
			if !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stderr:\n%s\nwant it to hold %q", stderr.String(), tt.want)
			}
			for _, bad := range []string{"goroutine ", "panic", ".go:", "jdoe"} {
				if strings.Contains(stderr.String(), bad) {
					t.Errorf("stderr holds %q:\n%s", bad, stderr.String())
				}
			}
			if stdout.Len() != 0 && tt.args[0] == "run" {
				t.Errorf("run wrote a response:\n%s", stdout.String())
			}
		})
	}
}
