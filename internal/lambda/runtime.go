package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
)

// The Lambda Runtime API (API version 2018-06-01): the runtime asks for the
// next event with GET .../invocation/next and answers it with POST
// .../invocation/ID/response or .../invocation/ID/error; the POST's 202
// says the answer was taken. claimsmapper speaks it itself, rather than
// through aws-lambda-go's loop, because a process whose evaluation the
// backstop abandoned must be replaced once its answer is taken, before it
// asks for the next event, and only the loop knows that moment
// (aws-lambda-go's loop posts the answer and asks for the next event in one
// function, with no hook between the two).
const runtimeAPIVersion = "2018-06-01"

// Headers of the next event.
const (
	headerRequestID   = "Lambda-Runtime-Aws-Request-Id"
	headerDeadlineMS  = "Lambda-Runtime-Deadline-Ms"
	headerFunctionARN = "Lambda-Runtime-Invoked-Function-Arn"
	headerErrorType   = "Lambda-Runtime-Function-Error-Type"
)

// The trace header (Lambda-Runtime-Trace-Id) is not read. Runtimes copy it
// to _X_AMZN_TRACE_ID for the X-Ray SDK, and the AWS SDK's client forwards
// it on its requests; the function links neither (its DynamoDB, S3 and KMS
// requests go through internal/awsapi), so nothing in the process would
// read the variable, and setting it would be a process-wide write per event
// for no reader. Lambda records the invocation's own segment either way.

// noDeadline bounds an event the Runtime API gave no deadline for (a
// missing or unreadable Lambda-Runtime-Deadline-Ms): Cognito waits at most
// 5 seconds for its trigger, so no answer after that is of use, and an event
// without a bound could run for as long as a lookup hangs.
const noDeadline = 5 * time.Second

// maxEvent bounds what one event may be: Lambda's payload quota for a
// synchronous invocation is 6 MB.
const maxEvent = 6 << 20

// ErrStopped is what serveRuntime returns after the answer to an event
// whose evaluation the backstop stopped has been taken by the Runtime API
// (its POST answered 202): the evaluation still runs, and must never share
// a process with the next sign-in.
//
// The answer is delivered to the caller only when the runtime asks for the
// next event: the emulator, which is Lambda's own runtime code, fails an
// invocation whose runtime exits between the two (Runtime.ExitError, 502),
// however well its answer was taken. So Serve does not exit: it replaces
// the process with a new run of the program (restart), which loads the
// mapping and asks for the next event from a process where nothing of the
// stopped evaluation runs. That request is what completes the invocation.
var ErrStopped = errors.New("an evaluation was stopped by the backstop; the process starts anew before the next event")

// restart replaces the process with a new run of the same program, with
// the same arguments and environment (the Runtime API's address among
// them). It returns only when that fails.
func restart() error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("restart: %w", err)
	}
	return fmt.Errorf("restart: %w", syscall.Exec(exe, os.Args, os.Environ()))
}

// runtimeAPI is a client of the Runtime API at one address.
type runtimeAPI struct {
	base   string // http://ADDRESS/2018-06-01/runtime/invocation/
	client *http.Client
}

func newRuntimeAPI(address string) *runtimeAPI {
	// The API is local to the sandbox: never through a proxy, never timed
	// out (next waits for as long as the function is frozen).
	return &runtimeAPI{
		base:   "http://" + address + "/" + runtimeAPIVersion + "/runtime/invocation/",
		client: &http.Client{Transport: &http.Transport{Proxy: nil}},
	}
}

// runtimeEvent is one event as the Runtime API gave it.
type runtimeEvent struct {
	id       string
	deadline time.Time
	// noDeadline is set when the Runtime API gave no deadline, and
	// deadline is the fallback bound.
	noDeadline bool
	arn        string
	payload    []byte
}

func (a *runtimeAPI) next(ctx context.Context) (*runtimeEvent, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"next", nil)
	if err != nil {
		return nil, err
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get the next event: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get the next event from %s: the runtime API answered %s", req.URL, resp.Status)
	}
	payload, err := io.ReadAll(io.LimitReader(resp.Body, maxEvent+1))
	if err != nil {
		return nil, fmt.Errorf("read the next event: %w", err)
	}
	inv := &runtimeEvent{id: resp.Header.Get(headerRequestID), arn: resp.Header.Get(headerFunctionARN), payload: payload}
	if inv.id == "" {
		// Without its id an event cannot be answered, and guessing one
		// would answer another.
		return nil, fmt.Errorf("get the next event from %s: the runtime API gave no %s header, so the event cannot be answered", req.URL, headerRequestID)
	}
	if ms, err := strconv.ParseInt(resp.Header.Get(headerDeadlineMS), 10, 64); err == nil && ms > 0 {
		inv.deadline = time.UnixMilli(ms)
	} else {
		inv.deadline, inv.noDeadline = time.Now().Add(noDeadline), true
	}
	return inv, nil
}

// post answers an event; it returns once the Runtime API took the answer.
func (a *runtimeAPI) post(id, what string, body []byte, header http.Header) error {
	req, err := http.NewRequest(http.MethodPost, a.base+id+"/"+what, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := a.client.Do(req)
	if err != nil {
		return fmt.Errorf("post the %s: %w", what, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("post the %s: the runtime API answered %s", what, resp.Status)
	}
	return nil
}

// errorPayload is the error answer Lambda gives Cognito, in the shape
// aws-lambda-go writes: Cognito shows errorMessage on the sign-in page.
type errorPayload struct {
	Message string `json:"errorMessage"`
	Type    string `json:"errorType"`
}

func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// serveRuntime answers events from the Runtime API at address with h until
// ctx ends (nil), the Runtime API fails, or an answer the backstop made has
// been delivered (ErrStopped).
func serveRuntime(ctx context.Context, address string, h *Handler) error {
	api := newRuntimeAPI(address)
	for {
		inv, err := api.next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := h.answer(ctx, api, inv); err != nil {
			return err
		}
		if h.Stopped() {
			h.Log.LogAttrs(ctx, slog.LevelWarn, "process restarting: the answer is taken, and the stopped evaluation must not share the process with the next sign-in")
			return ErrStopped
		}
	}
}

// answer runs one event through the handler and posts what it returns.
func (h *Handler) answer(ctx context.Context, api *runtimeAPI, inv *runtimeEvent) error {
	ictx, cancel := context.WithDeadline(ctx, inv.deadline)
	defer cancel()
	ictx = lambdacontext.NewContext(ictx, &lambdacontext.LambdaContext{AwsRequestID: inv.id, InvokedFunctionArn: inv.arn})
	if inv.noDeadline {
		h.Log.LogAttrs(ictx, slog.LevelWarn, fmt.Sprintf("the runtime API gave no deadline (%s): the event is bounded by %s, Cognito's limit", headerDeadlineMS, noDeadline))
	}
	var out []byte
	var err error
	if len(inv.payload) > maxEvent {
		err = errors.New(publicError)
		h.Log.LogAttrs(ictx, slog.LevelError, "event rejected", slog.String("error", fmt.Sprintf("the event is larger than %d bytes", maxEvent)))
	} else {
		out, err = h.invokeRecovered(ictx, inv.payload)
	}
	if err != nil {
		body, _ := json.Marshal(errorPayload{Message: err.Error(), Type: errorType(err)})
		return api.post(inv.id, "error", body, http.Header{"Content-Type": {"application/json"}, headerErrorType: {errorType(err)}})
	}
	return api.post(inv.id, "response", out, http.Header{"Content-Type": {"application/json"}})
}

// invokeRecovered is Invoke that turns a panic into the public error, and
// ends the process after the answer as a stopped evaluation does: a panic
// may have left anything half done.
func (h *Handler) invokeRecovered(ctx context.Context, event []byte) (out []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			h.stopped.Store(true)
			// A panic's text may quote the event: debug level only.
			h.Log.LogAttrs(ctx, slog.LevelError, "event failed: the handler panicked; the process ends after this answer")
			if h.Log.Enabled(ctx, slog.LevelDebug) {
				h.Log.LogAttrs(ctx, slog.LevelDebug, "event failed: the handler panicked", slog.String("panic", fmt.Sprint(p)))
			}
			out, err = nil, errors.New(publicError)
		}
	}()
	return h.Invoke(ctx, event)
}
