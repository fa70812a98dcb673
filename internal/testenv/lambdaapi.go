package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// LambdaFunctionName is the one function a LambdaAPI serves: the name the
// emulator gives its function.
const LambdaFunctionName = "function"

// LambdaAPI is AWS Lambda's Invoke API on loopback, in front of a function
// under the runtime emulator, for a server that invokes a trigger the way
// Cognito does (cognito-local). It adds what the emulator leaves out: real
// Lambda marks a function's error with the X-Amz-Function-Error header,
// which the emulator does not set, so a caller that reads the header (as
// cognito-local does) would take the error for an answer. It records every
// invocation, so a test can check the parts of a response that the caller
// does not apply.
type LambdaAPI struct {
	// URL is the endpoint to give an AWS SDK's Lambda client.
	URL   string
	mu    sync.Mutex
	calls []Invoked
}

// Invoked is one invocation through a LambdaAPI.
type Invoked struct {
	// Event is what the caller sent; Response what the function returned:
	// the event with its response, or the error document.
	Event, Response []byte
	// FunctionError is the X-Amz-Function-Error the API set: "Unhandled"
	// when the function returned an error, else "".
	FunctionError string
}

// StartLambdaAPI serves the Invoke API for f; it stops when the test ends.
func (f *Function) StartLambdaAPI(t testing.TB) *LambdaAPI {
	t.Helper()
	api := &LambdaAPI{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// POST /2015-03-31/functions/{name}/invocations
		name, ok := strings.CutPrefix(r.URL.Path, "/2015-03-31/functions/")
		name, ok2 := strings.CutSuffix(name, "/invocations")
		if r.Method != http.MethodPost || !ok || !ok2 {
			lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "no such API: "+r.Method+" "+r.URL.Path)
			return
		}
		if name != LambdaFunctionName {
			lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name+" (this endpoint serves "+LambdaFunctionName+")")
			return
		}
		event, err := io.ReadAll(r.Body)
		if err != nil {
			lambdaError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			lambdaError(w, http.StatusBadGateway, "ServiceException", "the emulator did not answer: "+err.Error())
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			lambdaError(w, http.StatusBadGateway, "ServiceException", "the emulator's answer broke off: "+err.Error())
			return
		}
		call := Invoked{Event: event, Response: body}
		if isFunctionError(body) {
			call.FunctionError = "Unhandled"
			w.Header().Set("X-Amz-Function-Error", call.FunctionError)
		}
		api.mu.Lock()
		api.calls = append(api.calls, call)
		api.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		// Lambda answers 200 for a function's error too; the header says it.
		w.WriteHeader(http.StatusOK)
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	api.URL = srv.URL
	return api
}

// isFunctionError reports whether an answer is the error document the
// runtime writes for a function that returned an error: an object with
// errorType and errorMessage. A trigger's answer is the event, which has
// neither.
func isFunctionError(body []byte) bool {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil {
		return false
	}
	_, typ := doc["errorType"]
	_, msg := doc["errorMessage"]
	return typ && msg
}

func lambdaError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": msg})
}

// Calls returns the invocations so far and forgets them.
func (a *LambdaAPI) Calls() []Invoked {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.calls
	a.calls = nil
	return out
}
