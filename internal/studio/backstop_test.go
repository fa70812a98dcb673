package studio

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// stuckStore answers no lookup until released, whatever its context says:
// the budget cannot stop it, only the backstop can.
type stuckStore struct{ release chan struct{} }

func (s stuckStore) GetItem(context.Context, mapper.GetItemInput) (mapper.Item, error) {
	<-s.release
	return mapper.Item{"first": "Secret-Ben"}, nil
}

func (s stuckStore) Query(context.Context, mapper.QueryInput) ([]mapper.Item, error) {
	return nil, errors.New("no queries here")
}

// lockedBuffer is the studio's log, written by the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	// ended is closed once the line that the stopped work ended is written.
	ended chan struct{}
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if bytes.Contains(p, []byte("a stopped evaluation has ended")) {
		close(b.ended)
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestTheBackstopAnswersARequestWhoseEvaluationWouldNotEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const mapping = "version: 1\ntimeout: 100ms\nsources:\n  user:\n    table: Users\n    key: {id: event.userName}\n    onError: ignore\nclaims:\n  firstName: user.first\n"
	file := filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(file, []byte(mapping), 0o644); err != nil {
		t.Fatal(err)
	}
	store := stuckStore{release: make(chan struct{})}
	logs := &lockedBuffer{ended: make(chan struct{})}
	s, err := New(Options{Mapping: file, Store: store, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Allow(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000})

	type answer struct {
		code int
		out  map[string]any
	}
	answered := make(chan answer, 1)
	go func() {
		code, out := call(t, s, "POST", "/api/evaluate", evalRequest{Source: mapping, User: userRef{kindName, "ben"}})
		answered <- answer{code, out}
	}()
	var a answer
	select {
	case a = <-answered:
	case <-time.After(time.Minute): // a hang, not a slow answer: the backstop trips 250 ms in
		close(store.release)
		t.Fatal("the studio did not answer an evaluation whose lookup never ends")
	}
	if a.code != 200 || a.out["problem"] != nil {
		t.Fatalf("evaluate: %d %v", a.code, a.out)
	}
	// Stopped in the lookups, with onError: ignore: the token comes
	// without the rules still to run, as the function's would.
	if id := claims(t, a.out, "ID token"); id["firstName"] != nil {
		t.Errorf("the ID token has firstName %v; want it answered without the lookup", id["firstName"])
	}
	if log := logs.String(); !strings.Contains(log, "evaluation stopped by the backstop") || !strings.Contains(log, "limit=time rule=sources") {
		t.Errorf("the studio's log does not say what the backstop stopped:\n%s", log)
	}
	// The server goes on: the next request is answered, and the stopped
	// work, once it can end, says so.
	if code, _ := call(t, s, "GET", "/api/session", nil); code != 200 {
		t.Errorf("the session after a stop: %d", code)
	}
	close(store.release)
	<-logs.ended
	if strings.Contains(logs.String(), "Secret-Ben") {
		t.Errorf("the log holds user data:\n%s", logs.String())
	}
}

// endedCounter is the studio's log, telling each line that a stopped
// evaluation has ended on ended.
type endedCounter struct{ ended chan struct{} }

func (c endedCounter) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("a stopped evaluation has ended")) {
		c.ended <- struct{}{}
	}
	return len(p), nil
}

// TestStoppedEvaluationsDoNotPileUp: the work of a stopped evaluation goes
// on in the background, so a page that evaluates at every keystroke could
// start one runaway after another. Once maxStopped still run, the studio
// evaluates nothing more and says why, still answers what evaluates
// nothing, and evaluates again once they end.
func TestStoppedEvaluationsDoNotPileUp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const mapping = "version: 1\ntimeout: 100ms\nsources:\n  user:\n    table: Users\n    key: {id: event.userName}\n    onError: ignore\nclaims:\n  firstName: user.first\n"
	file := filepath.Join(dir, "mapping.yaml")
	if err := os.WriteFile(file, []byte(mapping), 0o644); err != nil {
		t.Fatal(err)
	}
	store := stuckStore{release: make(chan struct{})}
	logs := endedCounter{ended: make(chan struct{}, maxStopped)}
	s, err := New(Options{Mapping: file, Store: store, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	s.Allow(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000})
	released := false
	defer func() {
		if !released {
			close(store.release)
		}
	}()
	req := evalRequest{Source: mapping, User: userRef{kindName, "ben"}}
	for i := range maxStopped {
		if code, out := call(t, s, "POST", "/api/evaluate", req); code != 200 || out["problem"] != nil {
			t.Fatalf("evaluation %d: %d %v", i+1, code, out)
		}
	}
	code, out := call(t, s, "POST", "/api/evaluate", req)
	if msg, _ := out["error"].(string); code != 503 || !strings.Contains(msg, "still running in the background") {
		t.Fatalf("with %d stopped evaluations running: %d %v; want 503 saying why", maxStopped, code, out)
	}
	if code, _ := call(t, s, "GET", "/api/session", nil); code != 200 {
		t.Errorf("the session while busy: %d", code)
	}
	close(store.release)
	released = true
	for range maxStopped {
		<-logs.ended
	}
	if code, out := call(t, s, "POST", "/api/evaluate", req); code != 200 || out["problem"] != nil {
		t.Errorf("once the stopped work ended: %d %v", code, out)
	}
}
