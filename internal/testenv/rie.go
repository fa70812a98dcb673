package testenv

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// RIEVersion is the emulator make test installs (into bin/tools), read from
// this line by the Makefile.
const RIEVersion = "v0.0.0-20261030222936-bef5c4ba774d"

// Function is a Lambda bootstrap (the claimsmapper binary, or the
// hand-written baseline) served by the AWS Lambda Runtime Interface
// Emulator, the same runtime API Lambda gives provided.al2023.
type Function struct {
	url  string
	proc *process
}

// LambdaTags are the build tags `make package` builds the function with
// (LAMBDA_TAGS in the Makefile, which a test holds to this).
const LambdaTags = "lambda.norpc,nethttpomithttp2"

// BuildBootstrap builds the function (cmd/bootstrap) as `make package`
// builds it into dir and returns its path.
func BuildBootstrap(t testing.TB, dir string) string {
	t.Helper()
	return BuildLambda(t, dir, "./cmd/bootstrap")
}

// BuildCLI builds the claimsmapper command (cmd/claimsmapper) into dir and
// returns its path.
func BuildCLI(t testing.TB, dir string) string {
	t.Helper()
	return goBuild(t, filepath.Join(dir, "claimsmapper"), "./cmd/claimsmapper", nil)
}

// BuildLambda builds the main package pkg, relative to the repository root,
// as `make package` builds a Lambda bootstrap (static, -tags LambdaTags,
// no symbols) into dir and returns its path: a benchmark that compares two
// functions compares them built the same way.
func BuildLambda(t testing.TB, dir, pkg string) string {
	t.Helper()
	return BuildLambdaIn(t, dir, ".", pkg)
}

// BuildLambdaIn is BuildLambda for a main package of the module in the
// folder module (relative to the repository root): the bench module's
// functions are built as the product's are.
func BuildLambdaIn(t testing.TB, dir, module, pkg string) string {
	t.Helper()
	return goBuildIn(t, module, filepath.Join(dir, "bootstrap"), pkg, []string{"CGO_ENABLED=0"},
		"-tags", LambdaTags, "-trimpath", "-ldflags", "-s -w")
}

// BuildBootstrapWithoutCostModel builds the function as BuildBootstrap
// does, with the backstoptest tag: every mapping then compiles without the
// evaluation budget, so that only the backstop stops a runaway evaluation.
// For the backstop's tests only.
func BuildBootstrapWithoutCostModel(t testing.TB, dir string) string {
	t.Helper()
	return goBuild(t, filepath.Join(dir, "bootstrap"), "./cmd/bootstrap", []string{"CGO_ENABLED=0"},
		"-tags", "lambda.norpc,backstoptest", "-trimpath", "-ldflags", "-s -w")
}

func goBuild(t testing.TB, out, pkg string, env []string, flags ...string) string {
	t.Helper()
	return goBuildIn(t, ".", out, pkg, env, flags...)
}

func goBuildIn(t testing.TB, module, out, pkg string, env []string, flags ...string) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"build"}, flags...)
	cmd := exec.Command("go", append(args, "-o", out, pkg)...)
	cmd.Dir = filepath.Join(root, module)
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// rieBinary finds aws-lambda-rie on PATH, where make test puts it, or where
// `go install` does.
func rieBinary() (string, error) {
	p, err := goBinary("aws-lambda-rie")
	if err != nil {
		return "", fmt.Errorf("aws-lambda-rie not found (make test installs it into bin/tools; or go install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@%s)", RIEVersion)
	}
	return p, nil
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
	f, err := LockEmulator(t).Start(bootstrap, env)
	if err != nil {
		Unavailable(t, "%v", err)
	}
	t.Cleanup(f.Stop)
	return f
}

// Emulator holds the emulator lock for one test or benchmark, for callers
// that start and stop functions themselves: a cold start benchmark starts a
// fresh one per iteration. Take it once per test, and not in a test that
// calls StartFunction: the lock is not reentrant.
type Emulator struct {
	rie string
}

// LockEmulator takes the emulator lock until the test ends.
func LockEmulator(t testing.TB) *Emulator {
	t.Helper()
	Integration(t)
	rie, err := rieBinary()
	if err != nil {
		Unavailable(t, "%v", err)
	}
	lockEmulator(t)
	return &Emulator{rie: rie}
}

// Start runs bootstrap under the emulator like StartFunction, and returns
// once the emulator accepts invocations. The caller stops it with Stop
// before starting the next.
func (e *Emulator) Start(bootstrap string, env map[string]string) (*Function, error) {
	return e.start(bootstrap, env, os.Environ())
}

// StartAsLambda is Start with the environment Lambda gives a function
// (PATH, LANG, TZ, and env) instead of this process's: a setting of the
// machine the tests run on (a CA bundle, a proxy, a profile) must not change
// what a benchmark measures.
func (e *Emulator) StartAsLambda(bootstrap string, env map[string]string) (*Function, error) {
	return e.start(bootstrap, env, []string{"PATH=" + os.Getenv("PATH"), "LANG=en_US.UTF-8", "TZ=:UTC"})
}

func (e *Emulator) start(bootstrap string, env map[string]string, base []string) (*Function, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	// Each port is free once its probe closes, so the second probe can
	// return the first port again: the emulator then fails to listen.
	apiPort := port
	for apiPort == port {
		if apiPort, err = FreePort(); err != nil {
			return nil, err
		}
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	// Info level, for the INIT REPORT line InitDuration reads.
	cmd := exec.Command(e.rie, "--log-level", "info",
		"--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort),
		bootstrap)
	cmd.Env = base
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
		return nil, fmt.Errorf("the Lambda emulator did not start: %w", err)
	}
	return &Function{url: "http://" + addr + "/2015-03-31/functions/function/invocations", proc: p}, nil
}

// Endpoint is the emulator's base URL, which serves Lambda's Invoke API
// for its one function, named "function" (LambdaFunctionName), without the
// X-Amz-Function-Error header Lambda sets on a function's error (see
// LambdaAPI).
func (f *Function) Endpoint() string {
	return strings.TrimSuffix(f.url, "/2015-03-31/functions/"+LambdaFunctionName+"/invocations")
}

// Stop stops the emulator and the function.
func (f *Function) Stop() { f.proc.stop() }

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// InitDuration is the function's init as the emulator timed it: from
// starting the bootstrap until it asked for its first event. It reports
// false before the first invocation. (The REPORT line's "Init Duration" is
// not this: the emulator times only how long starting the init took.)
func (f *Function) InitDuration() (time.Duration, bool) {
	m := initReport.FindStringSubmatch(f.Output())
	if m == nil {
		return 0, false
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	return time.Duration(ms * float64(time.Millisecond)), true
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

// Invoke sends one event with the given request id, and returns once the
// function's lines for it are in Output (see below).
func (f *Function) Invoke(t testing.TB, requestID string, event []byte) Invocation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amzn-RequestId", requestID)
	// The emulator prints END for an invocation before it answers, and
	// after every line the function wrote for it; the lines reach Output
	// through a pipe, possibly after the answer. Invoke returns once the
	// END line is in, so that a test reading the logs after an invocation
	// sees all of that invocation's lines. Ids may repeat: it counts them.
	end := "END RequestId: " + requestID + "\n"
	ends := strings.Count(f.Output(), end)
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
	inv := Invocation{Status: resp.StatusCode, Body: body, FunctionError: resp.Header.Get("X-Amz-Function-Error"), Took: time.Since(start)}
	// The emulator prints END only when it answers 200 (an answer, a
	// function error, a timeout); its own refusals have none.
	if resp.StatusCode == http.StatusOK {
		f.WaitOutputFunc(func(out string) bool { return strings.Count(out, end) > ends }, 10*time.Second)
	}
	return inv
}

// Output is what the emulator and the function printed: the function's logs.
func (f *Function) Output() string { return f.proc.out.String() }

// WaitOutput returns the function's output once it holds want, or after d.
// The emulator passes the function's log lines on asynchronously: a line
// written just before the function answered may arrive after the answer.
func (f *Function) WaitOutput(want string, d time.Duration) string {
	return f.WaitOutputFunc(func(out string) bool { return strings.Contains(out, want) }, d)
}

// WaitOutputFunc returns the function's output once done reports true of
// it, or after d; it wakes at each new line, never polls.
func (f *Function) WaitOutputFunc(done func(out string) bool, d time.Duration) string {
	timeout := time.After(d)
	for {
		out, grew := f.proc.out.next()
		if done(out) {
			return out
		}
		select {
		case <-grew:
		case <-timeout:
			return f.Output()
		}
	}
}
