package testenv

import (
	"bytes"
	"context"
	"fmt"
	"go/build"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RIEVersion is the emulator .ci/run installs; keep the two in step.
const RIEVersion = "v0.0.0-20261030222936-bef5c4ba774d"

// Function is the claimsmapper binary served by the AWS Lambda Runtime
// Interface Emulator, the same runtime API Lambda gives provided.al2023.
type Function struct {
	url  string
	proc *process
}

// BuildBootstrap builds cmd/claimsmapper as Lambda runs it (bootstrap,
// -tags lambda.norpc) into dir and returns its path.
func BuildBootstrap(t testing.TB, dir string) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", out, "./cmd/claimsmapper")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build bootstrap: %v\n%s", err, b)
	}
	return out
}

// rieBinary finds aws-lambda-rie on PATH or where `go install` puts it.
func rieBinary() (string, error) {
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		return p, nil
	}
	dirs := []string{os.Getenv("GOBIN")}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, "aws-lambda-rie")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("aws-lambda-rie not found (go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@%s)", RIEVersion)
}

// lockEmulator serialises emulator tests across test binaries: by default
// the emulator's runtime API is 127.0.0.1:9001, and timing assertions need
// the machine's cores to themselves. The lock is released when the test ends.
func lockEmulator(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "claimsmapper-rie.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	})
}

// StartFunction runs bootstrap under the emulator with env added to this
// process's environment (AWS_LAMBDA_FUNCTION_TIMEOUT sets the function's
// deadline in seconds). It stops when the test ends. The function initialises
// on the first invocation, as the emulator does it.
func StartFunction(t testing.TB, bootstrap string, env map[string]string) *Function {
	t.Helper()
	Integration(t)
	rie, err := rieBinary()
	if err != nil {
		Unavailable(t, "%v", err)
	}
	lockEmulator(t)
	port, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	apiPort, err := FreePort()
	if err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(rie, "--log-level", "warn",
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort),
		bootstrap)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p, err := startProcess(cmd, "", 20*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	if err != nil {
		Unavailable(t, "the Lambda emulator did not start: %v", err)
	}
	f := &Function{url: "http://" + addr + "/2015-03-31/functions/function/invocations", proc: p}
	t.Cleanup(f.proc.stop)
	return f
}

// Invocation is what one invoke returned.
type Invocation struct {
	Status int
	Body   []byte
	// FunctionError is the X-Amz-Function-Error header: set when the
	// function returned an error.
	FunctionError string
	Took          time.Duration
}

// Invoke sends one event with the given request id.
func (f *Function) Invoke(t testing.TB, requestID string, event []byte) Invocation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amzn-RequestId", requestID)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("invoke: %v\nemulator output:\n%s", err, f.Output())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read invoke response: %v", err)
	}
	return Invocation{Status: resp.StatusCode, Body: body, FunctionError: resp.Header.Get("X-Amz-Function-Error"), Took: time.Since(start)}
}

// Output is what the emulator and the function printed: the function's logs.
func (f *Function) Output() string { return f.proc.out.String() }

// WaitOutput returns the function's output once it holds want, or after d.
// The emulator passes the function's log lines on asynchronously: a line
// written just before the function answered may arrive after the answer.
func (f *Function) WaitOutput(want string, d time.Duration) string {
	deadline := time.Now().Add(d)
	for {
		out := f.Output()
		if strings.Contains(out, want) || time.Now().After(deadline) {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}
