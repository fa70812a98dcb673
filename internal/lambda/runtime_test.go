package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// step is one answer of a scripted Runtime API to GET next: a status, the
// headers and the body. A zero status is 200.
type step struct {
	status int
	header map[string]string
	body   string
}

// scriptedRuntime is a Runtime API whose next answers are scripted, and
// whose answers to the function's POSTs are postStatus (202 when zero). It
// records every call and every POSTed body.
type scriptedRuntime struct {
	steps      []step
	postStatus int
	// drained is closed when the function asks for an event after the
	// script's last.
	drained chan struct{}

	mu     sync.Mutex
	calls  []string
	posted []string
}

func newScripted(postStatus int, steps ...step) *scriptedRuntime {
	return &scriptedRuntime{steps: steps, postStatus: postStatus, drained: make(chan struct{})}
}

func (s *scriptedRuntime) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/2018-06-01/runtime/invocation/")
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.calls = append(s.calls, r.Method+" "+path)
	n := 0
	for _, c := range s.calls {
		if c == "GET next" {
			n++
		}
	}
	if r.Method == http.MethodPost {
		s.posted = append(s.posted, string(body))
	}
	s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && path == "next":
		if n > len(s.steps) {
			close(s.drained)
			<-r.Context().Done() // no more events: wait as Lambda does
			return
		}
		st := s.steps[n-1]
		for k, v := range st.header {
			w.Header().Set(k, v)
		}
		if st.status != 0 {
			w.WriteHeader(st.status)
		}
		io.WriteString(w, st.body)
	case r.Method == http.MethodPost:
		if s.postStatus != 0 {
			w.WriteHeader(s.postStatus)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func (s *scriptedRuntime) log() (calls, posted []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...), append([]string(nil), s.posted...)
}

// withID is a next answer carrying an event with its id and a deadline a
// minute away.
func withID(id, body string) step {
	return step{header: map[string]string{
		headerRequestID:  id,
		headerDeadlineMS: strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10),
	}, body: body}
}

// serve runs Serve, as the function's main does, against the scripted
// Runtime API with a mapping that looks nothing up. It returns what Serve
// returned and its log, once Serve returned or the script is drained
// (then Serve is ended, and must return nil).
func serve(t *testing.T, rt *scriptedRuntime) (string, error) {
	t.Helper()
	srv := httptest.NewServer(rt)
	defer srv.Close()
	fn := map[string]string{
		mappingfile.EnvInline:    "version: 1\nclaims:\n  tier: { const: gold }\n",
		"AWS_REGION":             "us-east-1",
		"AWS_ACCESS_KEY_ID":      "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY":  "not-a-secret",
		"AWS_LAMBDA_RUNTIME_API": strings.TrimPrefix(srv.URL, "http://"),
		"GOMEMLIMIT":             "off", // the test process keeps its own limit
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, env(fn), &logs) }()
	select {
	case err := <-done:
		return logs.String(), err
	case <-rt.drained:
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve returned %v once its context ended, want nil", err)
		}
		return logs.String(), nil
	}
}

// syncBuffer is a bytes.Buffer that Serve's goroutine writes while the test
// may read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestRuntimeAPIFailures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		postStatus int
		steps      []step
		// want is what the function did, and wantLog a line it logged.
		want, wantLog string
		fails         bool
	}{
		{
			name:  "a next answered with a server error ends the process with a line naming the status",
			steps: []step{{status: http.StatusInternalServerError, body: "container error"}},
			want:  "GET next", wantLog: `"msg":"the runtime API failed","error":"get the next event from http://`, fails: true,
		},
		{
			name:  "a next answered with a client error ends the process too, never loops on it",
			steps: []step{{status: http.StatusForbidden}},
			want:  "GET next", wantLog: `answered 403 Forbidden`, fails: true,
		},
		{
			name:  "an event without a request id cannot be answered, and the line says which header is missing",
			steps: []step{{header: map[string]string{headerDeadlineMS: "99999999999999"}, body: v1Event}},
			want:  "GET next", wantLog: `the runtime API gave no Lambda-Runtime-Aws-Request-Id header, so the event cannot be answered`, fails: true,
		},
		{
			name:       "an answer the runtime API refuses ends the process with a line naming the status",
			postStatus: http.StatusRequestEntityTooLarge,
			steps:      []step{withID("ev-0", v1Event)},
			want:       "GET next, POST ev-0/response", wantLog: `"error":"post the response: the runtime API answered 413 Request Entity Too Large"`, fails: true,
		},
		{
			name:       "an error answer the runtime API refuses does too",
			postStatus: http.StatusInternalServerError,
			steps:      []step{withID("ev-0", `{"version":`)},
			want:       "GET next, POST ev-0/error", wantLog: `"error":"post the error: the runtime API answered 500 Internal Server Error"`, fails: true,
		},
		{
			name:  "a malformed event gets the public error, and the next event is asked for",
			steps: []step{withID("ev-0", `{"version":`), withID("ev-1", "not json at all"), withID("ev-2", v1Event)},
			want:  "GET next, POST ev-0/error, GET next, POST ev-1/error, GET next, POST ev-2/response, GET next", wantLog: `"msg":"event rejected"`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rt := newScripted(tt.postStatus, tt.steps...)
			logs, err := serve(t, rt)
			if tt.fails != (err != nil) {
				t.Errorf("Serve returned %v; want an error: %v", err, tt.fails)
			}
			calls, posted := rt.log()
			if got := strings.Join(calls, ", "); got != tt.want {
				t.Errorf("the function did %s; want %s", got, tt.want)
			}
			if !strings.Contains(logs, tt.wantLog) {
				t.Errorf("the log lacks %s:\n%s", tt.wantLog, logs)
			}
			for _, p := range posted {
				if strings.Contains(p, "errorMessage") && !strings.Contains(p, `"errorMessage":"`+publicError+`"`) {
					t.Errorf("an error answer is %s; want the public error", p)
				}
			}
		})
	}
}

func TestAnEventWithoutADeadlineIsBoundedByCognitosLimit(t *testing.T) {
	t.Parallel()
	for _, deadline := range []string{"", "soon", "0", "-5"} {
		t.Run("deadline header "+strconv.Quote(deadline), func(t *testing.T) {
			t.Parallel()
			header := map[string]string{headerRequestID: "ev-0"}
			if deadline != "" {
				header[headerDeadlineMS] = deadline
			}
			rt := newScripted(0, step{header: header, body: v1Event})
			srv := httptest.NewServer(rt)
			defer srv.Close()
			// The store sees the context the lookups run under.
			seen := make(chan time.Time, 1)
			store := storeFuncs{get: func(ctx context.Context, _ mapper.GetItemInput) (mapper.Item, error) {
				dl, ok := ctx.Deadline()
				if !ok {
					t.Error("the lookup runs without a deadline")
				}
				seen <- dl
				return mapper.Item{"first": "Ben"}, nil
			}}
			var logs bytes.Buffer
			h := handler(t, strings.Replace(userMapping, "%s", "ignore", 1), store, &logs, slog.LevelInfo)
			serveAll(t, rt.drained, srv, h)
			// The bound was set when the event came, before now.
			if dl, now := <-seen, time.Now(); dl.After(now.Add(noDeadline)) {
				t.Errorf("the lookup's deadline is %s from now; want at most %s", dl.Sub(now), noDeadline)
			}
			calls, posted := rt.log()
			if got := strings.Join(calls, ", "); got != "GET next, POST ev-0/response, GET next" {
				t.Errorf("the function did %s", got)
			}
			var out struct{ Response json.RawMessage }
			if len(posted) != 1 || json.Unmarshal([]byte(posted[0]), &out) != nil || !strings.Contains(string(out.Response), "Ben") {
				t.Errorf("the answers are %q; want the mapped claims", posted)
			}
			if !strings.Contains(logs.String(), `"msg":"the runtime API gave no deadline (Lambda-Runtime-Deadline-Ms): the event is bounded by 5s, Cognito's limit","requestId":"ev-0"`) {
				t.Errorf("no line says the deadline is missing:\n%s", logs.String())
			}
		})
	}
}
