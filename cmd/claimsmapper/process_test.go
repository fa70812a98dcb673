package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
)

// TestMain lets a test run this test binary as the claimsmapper command in
// a child process: signals, closed pipes and memory limits are a process's
// business, which the in-process run function cannot show.
//
// Every test gives the commands the operator's allow-list the project's test
// mappings need, as a deployment would set it: ${NAME} reads nothing else.
func TestMain(m *testing.M) {
	os.Setenv("CLAIMS_MAPPING_ENV", "TABLE_NAME, UNSET_TABLE_FOR_TESTS, CLAIMSMAPPER_LINT_UNSET")
	if os.Getenv("CLAIMSMAPPER_TEST_AS_MAIN") == "1" {
		if as := os.Getenv("CLAIMSMAPPER_TEST_RLIMIT_DATA"); as != "" {
			n, err := strconv.ParseUint(as, 10, 64)
			if err != nil || syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: n, Max: n}) != nil {
				os.Exit(99)
			}
		}
		if os.Getenv("CLAIMSMAPPER_TEST_SAY_READING") == "1" {
			// The signal handler is in place before the command reads:
			// its first read of standard input says so on stderr.
			os.Exit(runProcess(os.Args[1:], &sayReading{r: os.Stdin}))
		}
		main()
	}
	os.Exit(m.Run())
}

// childCommand prepares the claimsmapper command line as a child process.
func childCommand(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "CLAIMSMAPPER_TEST_AS_MAIN=1")
	return cmd
}

// exitCode is the child's exit code, or -1 when a signal killed it.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	ee, ok := err.(*exec.ExitError)
	if !ok {
		t.Fatalf("the command did not run: %v", err)
	}
	return ee.ExitCode()
}

// readingLine is what a child started with CLAIMSMAPPER_TEST_SAY_READING=1
// writes to stderr when it starts reading standard input.
const readingLine = "test: reading standard input"

// sayReading writes readingLine to stderr on the first read.
type sayReading struct {
	r    io.Reader
	said bool
}

func (s *sayReading) Read(p []byte) (int, error) {
	if !s.said {
		s.said = true
		fmt.Fprintln(os.Stderr, readingLine)
	}
	return s.r.Read(p)
}
