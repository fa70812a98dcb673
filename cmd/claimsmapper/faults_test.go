package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/cli"
)

// TestSignalsStopEveryCommand: SIGINT and SIGTERM stop a command, whether it
// is evaluating or blocked reading, with the shell's code for the signal,
// never 0.
func TestSignalsStopEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	dir := t.TempDir()
	// The work budget ends any evaluation well within a second, so the
	// commands are caught waiting for their event on standard input.
	slow := filepath.Join(dir, "slow.yaml")
	writeFile(t, slow, "version: 1\ntimeout: 4s\nclaims:\n  slow: 'let x = 0..30000; all(x, # in x)'\n")
	cases := []struct {
		name string
		args []string
	}{
		{"waiting for standard input", []string{"run", "--mapping", slow, "--event", "-"}},
		{"explaining", []string{"explain", "--mapping", slow, "--event", "-"}},
	}
	for _, sig := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, cli.ExitInterrupted}, {syscall.SIGTERM, cli.ExitTerminated}} {
		for _, c := range cases {
			t.Run(sig.sig.String()+" while "+c.name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				cmd := childCommand(ctx, c.args...)
				cmd.Env = append(cmd.Env, "CLAIMSMAPPER_TEST_SAY_READING=1")
				stdin, err := cmd.StdinPipe() // left open: "-" waits on it
				if err != nil {
					t.Fatal(err)
				}
				defer stdin.Close()
				stderr, reading, closed := watchStderr(t, cmd)
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				// Signal once the command waits for its event, its handler
				// in place: a line says so, however slow the machine.
				select {
				case <-reading:
				case <-ctx.Done():
					t.Fatalf("the command never started reading its event; stderr:\n%s", stderr())
				}
				cmd.Process.Signal(sig.sig)
				// Inside the deadline, or CommandContext kills it (exit -1).
				// Wait only once stderr is read to its end: Wait closes it.
				<-closed
				code := exitCode(t, cmd.Wait())
				if code != sig.code {
					t.Errorf("exit %d, want %d; stderr:\n%s", code, sig.code, stderr())
				}
				// Blocked reading, where the context does not reach, it is
				// ended by the grace period, which says so.
				if !strings.Contains(stderr(), "claimsmapper: stopped") {
					t.Errorf("stderr should say it stopped:\n%s", stderr())
				}
			})
		}
	}
}

// watchStderr collects the child's stderr; reading is closed when the
// child says it started reading standard input, closed when stderr ends.
func watchStderr(t *testing.T, cmd *exec.Cmd) (text func() string, reading, closed <-chan struct{}) {
	t.Helper()
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var b strings.Builder
	ready, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pipe)
		said := false
		for sc.Scan() {
			mu.Lock()
			b.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if !said && sc.Text() == readingLine {
				said = true
				close(ready)
			}
		}
	}()
	return func() string { mu.Lock(); defer mu.Unlock(); return b.String() }, ready, done
}

// TestFailedWritesFailEveryCommand: a full disk or a closed pipe on
// standard output is an error, exit 1 with a message, on every command.
func TestFailedWritesFailEveryCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	commands := [][]string{
		{"version"},
		{"help"},
		{"schema"},
		{"lint", seedMapping},
		{"lint", "--format", "json", seedMapping},
		{"test", seedMapping},
		{"run", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData},
		{"preview", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData},
		{"explain", "--mapping", seedMapping, "--event", seedEvent, "--data", seedData},
	}
	outputs := []struct {
		name, want string
		open       func(t *testing.T) *os.File
	}{
		{"a full disk", "no space left on device", func(t *testing.T) *os.File {
			f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}},
		{"a closed pipe", "broken pipe", func(t *testing.T) *os.File {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			return w
		}},
	}
	for _, args := range commands {
		for _, o := range outputs {
			t.Run(strings.Join(args[:1], " ")+" writing to "+o.name, func(t *testing.T) {
				t.Parallel()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				cmd := childCommand(ctx, args...)
				cmd.Env = append(cmd.Env, "TABLE_NAME=SampleUsers")
				out := o.open(t)
				defer out.Close()
				cmd.Stdout = out
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				code := exitCode(t, cmd.Run())
				if code != cli.ExitFailed || !strings.Contains(stderr.String(), "could not write the output: "+o.want) {
					t.Errorf("%v: exit %d, stderr %q; want exit 1 saying %q", args, code, stderr.String(), o.want)
				}
			})
		}
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
