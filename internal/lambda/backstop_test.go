package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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

// stuck is a store that ignores its context: it answers no lookup until the
// test ends. The budget cannot stop it; only the backstop can.
func stuck(t *testing.T) mapper.Store {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return storeFuncs{get: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
		<-release
		return mapper.Item{"first": "Secret-Ben"}, nil
	}}
}

func TestBackstopAnswersWithoutARunawayEvaluation(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ onError, want string }{
		{"ignore", "answered"},
		{"fail", "failed"},
	} {
		t.Run("onError "+tt.onError, func(t *testing.T) {
			t.Parallel()
			var buf, metrics bytes.Buffer
			mapping := strings.Replace(userMapping, "%s", tt.onError, 1)
			h, err := NewHandler(context.Background(), env(map[string]string{mappingfile.EnvInline: mapping}), stuck(t), NewLogger(&buf, slog.LevelInfo), &metrics)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := invocation("req-stuck", time.Now().Add(time.Second))
			defer cancel()
			out, err := h.Invoke(ctx, json.RawMessage(v1Event))
			switch tt.want {
			case "answered":
				if err != nil || strings.Contains(string(out), "firstName") || !strings.Contains(string(out), `"claimsOverrideDetails"`) {
					t.Fatalf("got %s, %v; want an answer without the source's claims", out, err)
				}
			case "failed":
				if err == nil || err.Error() != "could not load your profile, try again" {
					t.Fatalf("got %s, %v; want the public error", out, err)
				}
			}
			if !h.Stopped() {
				t.Error("the handler does not say the process must end")
			}
			log := buf.String()
			if !strings.Contains(log, `"msg":"evaluation stopped by the backstop","limit":"time","rule":"sources"`) || !strings.Contains(log, `"requestId":"req-stuck"`) {
				t.Errorf("the backstop's line is missing or incomplete:\n%s", log)
			}
			if strings.Contains(log, "Secret-Ben") || strings.Contains(log, "ben@example.com") {
				t.Errorf("the log holds user data:\n%s", log)
			}
			if !strings.Contains(metrics.String(), `{"Name":"BackstopStops","Unit":"Count"}`) || !strings.Contains(metrics.String(), `"BackstopStops":1`) {
				t.Errorf("the metrics do not count the stop:\n%s", metrics.String())
			}
		})
	}
}

func TestMemory(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		env            map[string]string
		limit, ceiling uint64
	}{
		{map[string]string{EnvMemorySize: "128"}, 112 << 20, 80 << 20},
		{map[string]string{EnvMemorySize: "1024"}, 896 << 20, 640 << 20},
		{nil, 112 << 20, 80 << 20},
		{map[string]string{EnvMemorySize: "lots"}, 112 << 20, 80 << 20},
	} {
		if limit, ceiling := Memory(env(tt.env)); limit != tt.limit || ceiling != tt.ceiling {
			t.Errorf("Memory(%v) = %d, %d; want %d, %d", tt.env, limit, ceiling, tt.limit, tt.ceiling)
		}
	}
}

// runtimeAPIStub is the Runtime API of a function: it hands out events in
// order and records what the function did, in the order it did it.
type runtimeAPIStub struct {
	events [][]byte
	// drained is closed when the function asks for an event after the
	// last: it answered every one.
	drained chan struct{}
	mu      sync.Mutex
	calls   []string
	served  int
}

func newStub(events ...string) *runtimeAPIStub {
	s := &runtimeAPIStub{drained: make(chan struct{})}
	for _, e := range events {
		s.events = append(s.events, []byte(e))
	}
	return s
}

func (s *runtimeAPIStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	const prefix = "/2018-06-01/runtime/invocation/"
	path := strings.TrimPrefix(r.URL.Path, prefix)
	s.mu.Lock()
	s.calls = append(s.calls, r.Method+" "+path)
	n := s.served
	s.mu.Unlock()
	switch {
	case r.Method == http.MethodGet && path == "next":
		if n >= len(s.events) {
			close(s.drained)
			<-r.Context().Done() // no more events: wait as Lambda does
			return
		}
		s.mu.Lock()
		s.served++
		s.mu.Unlock()
		w.Header().Set(headerRequestID, "ev-"+strconv.Itoa(n))
		w.Header().Set(headerDeadlineMS, strconv.FormatInt(time.Now().Add(time.Second).UnixMilli(), 10))
		w.Write(s.events[n])
	case r.Method == http.MethodPost:
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func (s *runtimeAPIStub) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

// serveAll runs serveRuntime until the Runtime API has served all its
// events and a next is waiting (drained), then ends it; serveRuntime must
// return nil then.
func serveAll(t *testing.T, drained <-chan struct{}, srv *httptest.Server, h *Handler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveRuntime(ctx, strings.TrimPrefix(srv.URL, "http://"), h) }()
	select {
	case <-drained:
	case err := <-done:
		cancel()
		t.Fatalf("serveRuntime returned %v early", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serveRuntime returned %v once its context ended, want nil", err)
	}
}

func TestServeRuntime(t *testing.T) {
	t.Parallel()
	t.Run("after a stopped evaluation, the process ends once its answer is taken, before asking for the next event", func(t *testing.T) {
		t.Parallel()
		stub := newStub(v1Event, v1Event)
		srv := httptest.NewServer(stub)
		defer srv.Close()
		h := handler(t, strings.Replace(userMapping, "%s", "ignore", 1), stuck(t), &bytes.Buffer{}, slog.LevelInfo)
		err := serveRuntime(context.Background(), strings.TrimPrefix(srv.URL, "http://"), h)
		if !errors.Is(err, ErrStopped) {
			t.Fatalf("serveRuntime returned %v, want ErrStopped", err)
		}
		if got := strings.Join(stub.log(), ", "); got != "GET next, POST ev-0/response" {
			t.Errorf("the function did %s; want one event answered and no next asked for", got)
		}
	})
	t.Run("an ordinary event is answered and the next asked for", func(t *testing.T) {
		t.Parallel()
		stub := newStub(v1Event, `{"version":7}`)
		srv := httptest.NewServer(stub)
		defer srv.Close()
		found := storeFuncs{get: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
			return mapper.Item{"first": "Ben"}, nil
		}}
		h := handler(t, strings.Replace(userMapping, "%s", "ignore", 1), found, &bytes.Buffer{}, slog.LevelInfo)
		serveAll(t, stub.drained, srv, h)
		if got := strings.Join(stub.log(), ", "); got != "GET next, POST ev-0/response, GET next, POST ev-1/error, GET next" {
			t.Errorf("the function did %s", got)
		}
		if h.Stopped() {
			t.Error("an ordinary event stopped the process")
		}
	})
	t.Run("an event larger than Lambda allows is answered with the public error, unread and unlogged", func(t *testing.T) {
		t.Parallel()
		stub := newStub(`{"secret":"` + strings.Repeat("s", maxEvent) + `"}`)
		srv := httptest.NewServer(stub)
		defer srv.Close()
		var logs bytes.Buffer
		h := handler(t, strings.Replace(userMapping, "%s", "ignore", 1), stuck(t), &logs, slog.LevelDebug)
		serveAll(t, stub.drained, srv, h)
		if got := strings.Join(stub.log(), ", "); got != "GET next, POST ev-0/error, GET next" {
			t.Errorf("the function did %s", got)
		}
		if out := logs.String(); !strings.Contains(out, "event rejected") || strings.Contains(out, "secret") {
			t.Errorf("want an 'event rejected' line that does not quote the event:\n%.2000s", out)
		}
	})
}
