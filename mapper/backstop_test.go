package mapper_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// The backstop's tests make the cost model wrong on purpose: the mappings
// are compiled without the evaluation budget (mapper.Unbounded), and the
// stores ignore their context. Whatever stops the evaluations is then the
// backstop alone. They wait for the evaluation's answer, never for a time.

// spin is an expression that runs for about a second without the budget
// and then ends by itself, so the abandoned goroutine does not outlive the
// test binary by much.
// It reads the event so that nothing of it is folded when it compiles.
const spin = `let r = 1..2000; sum(r, count(r, # > len(event.userName)))`

// hold is an expression that keeps about 120 MB on the heap until it ends
// (the event's userName is jdoe).
const hold = `let s = repeat(event.userName, 200000); let t = s + s + s + s + s; len(map(1..30, t + string(#)))`

// blockingStore answers no lookup until release is closed, whatever its
// context says: a store that ignores its deadline.
// A lookup in the table Fast is answered at once (not found).
type blockingStore struct{ release chan struct{} }

func (s blockingStore) GetItem(_ context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	if in.Table != "Fast" {
		<-s.release
	}
	return nil, nil
}

func (s blockingStore) Query(context.Context, mapper.QueryInput) ([]mapper.Item, error) {
	<-s.release
	return nil, nil
}

func loadUnbounded(t *testing.T, yaml string, store mapper.Store) *mapper.Mapper {
	t.Helper()
	mp, fs := loaded(mapper.Load([]byte(yaml), mapper.Unbounded(mapper.LoadOptions{File: "mapping.yaml",
		Env: config.Env{Lookup: func(string) (string, bool) { return "", false }}, Store: store, Logger: slog.New(slog.DiscardHandler)})))
	if err := config.Errors(fs); err != nil {
		t.Fatalf("load mapping:\n%v", err)
	}
	return mp
}

// trips records what the backstop stopped.
type trips struct {
	mu    sync.Mutex
	stops []mapper.Stop
	// ended is closed when the stopped evaluation ends at last: the test
	// waits for it, so that no runaway outlives its test and disturbs the
	// next (TestHandleStatsAllocatesNothingMore counts the process's
	// allocations).
	ended chan struct{}
}

func (tr *trips) backstop(heap uint64) *mapper.Backstop {
	tr.ended = make(chan struct{})
	return &mapper.Backstop{Grace: 50 * time.Millisecond, Heap: heap, Tripped: func(_ context.Context, s mapper.Stop) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		tr.stops = append(tr.stops, s)
	}, Ended: func() { close(tr.ended) }}
}

func (tr *trips) only(t *testing.T) mapper.Stop {
	t.Helper()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if len(tr.stops) != 1 {
		t.Fatalf("the backstop tripped %d times (%v), want once", len(tr.stops), tr.stops)
	}
	return tr.stops[0]
}

func TestBackstop(t *testing.T) {
	const idClaims = "claimsAndScopeOverrideDetails.idTokenGeneration.claimsToAddOrOverride"
	tests := []struct {
		name    string
		mapping string
		// blocks makes the store block; heap sets a ceiling above the heap now.
		blocks, heap bool
		want         mapper.Stop
		// failRule is the rule the event fails on, "" when it is answered
		// with claims (the ID token's, as JSON).
		failRule, public, claims string
	}{
		{name: "a runaway claim is left out, the claims before it stay, those after it are omitted too",
			mapping: "version: 1\ntimeout: 100ms\nclaims:\n  a: '\"before\"'\n  b: '" + spin + "'\n  c: '\"after\"'\n",
			want:    mapper.Stop{Limit: "time", Rule: "claims.b"}, claims: `{"a":"before"}`},
		{name: "an unfinished claim whose onError is fail fails the sign-in",
			mapping: "version: 1\ntimeout: 100ms\nclaims:\n  a: '\"before\"'\n  b: '" + spin + "'\n  c: { value: '\"after\"', onError: fail }\n",
			want:    mapper.Stop{Limit: "time", Rule: "claims.b", Failed: true}, failRule: "claims.c", public: "could not prepare your sign-in, try again"},
		{name: "the runaway claim's own fail policy fails the sign-in",
			mapping: "version: 1\ntimeout: 100ms\nonClaimError: fail\nclaims:\n  a: { value: '\"before\"', onError: omit }\n  b: '" + spin + "'\n",
			want:    mapper.Stop{Limit: "time", Rule: "claims.b", Failed: true}, failRule: "claims.b", public: "could not prepare your sign-in, try again"},
		{name: "unfinished groups with onError: fail fail the sign-in",
			mapping: "version: 1\ntimeout: 100ms\nclaims:\n  b: '" + spin + "'\ngroups:\n  override: '[\"x\"]'\n  onError: fail\n",
			want:    mapper.Stop{Limit: "time", Rule: "claims.b", Failed: true}, failRule: "groups", public: "could not prepare your sign-in, try again"},
		{name: "a store that ignores its deadline is cut off, and the claims that need no source are omitted with it",
			mapping: "version: 1\ntimeout: 100ms\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\nclaims:\n  a: user.FirstName\n  b: '\"x\"'\n",
			blocks:  true, want: mapper.Stop{Limit: "time", Rule: "sources"}, claims: `{}`},
		{name: "a store that ignores its deadline under a source that fails closed fails the sign-in",
			mapping: "version: 1\ntimeout: 100ms\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\n    onError: fail\nclaims:\n  a: user.FirstName\n",
			blocks:  true, want: mapper.Stop{Limit: "time", Rule: "sources", Failed: true}, failRule: "sources.user", public: "could not load your profile, try again"},
		{name: "a source that fails closed but finished before the store hung does not fail the sign-in",
			mapping: "version: 1\ntimeout: 100ms\nsources:\n  early:\n    table: Fast\n    key: { userName: event.userName }\n    onError: fail\n  user:\n    table: Users\n    key: { userName: event.userName + string(early) }\nclaims:\n  b: '\"x\"'\n",
			blocks:  true, want: mapper.Stop{Limit: "time", Rule: "sources"}, claims: `{}`},
		{name: "a claim that fills the heap is stopped at the ceiling, long before its deadline",
			mapping: "version: 1\ntimeout: 4s\nclaims:\n  a: '\"before\"'\n  b: '" + hold + "'\n",
			heap:    true, want: mapper.Stop{Limit: "memory", Rule: "claims.b"}, claims: `{"a":"before"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Not parallel: the heap is the process's, and each case
			// leaves a goroutine running for a while.
			store := blockingStore{release: make(chan struct{})}
			mp := loadUnbounded(t, tt.mapping, store)
			var heap uint64
			if tt.heap {
				heap = mapper.HeapObjects() + 48<<20
			}
			var tr trips
			ctx := mapper.WithBackstop(context.Background(), tr.backstop(heap))
			defer func() {
				close(store.release)
				<-tr.ended
			}()
			out, err := mp.Handle(ctx, event(t, "v2"))
			got := tr.only(t)
			got.Heap = 0
			if got != tt.want {
				t.Errorf("stop %+v, want %+v", got, tt.want)
			}
			if tt.failRule != "" {
				var ee *mapper.EventError
				var se *mapper.StopError
				if !errors.As(err, &ee) || ee.Rule != tt.failRule || ee.Public != tt.public || !errors.As(err, &se) {
					t.Fatalf("got %v (%s), want the event failed by %s with %q", err, out, tt.failRule, tt.public)
				}
				return
			}
			if err != nil {
				t.Fatalf("handle: %v", err)
			}
			var resp map[string]any
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(dig(resp["response"], "claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride"))
			if string(b) != tt.claims {
				t.Errorf("%s = %s, want %s", idClaims, b, tt.claims)
			}
		})
	}
}

// TestBackstopLetsFinishedEvaluationsBe: an evaluation that ends by
// itself, even one the budget stops at its deadline, never trips the
// backstop, and gets the same answer as without it.
func TestBackstopLetsFinishedEvaluationsBe(t *testing.T) {
	mp := load(t, "version: 1\ntimeout: 100ms\nclaims:\n  a: '\"x\"'\n  slow: 'len(filter(1..3000, len(filter(1..3000, # > 0)) > 0))'\n  b: '\"y\"'\n", nil)
	var tr trips
	ctx := mapper.WithBackstop(context.Background(), tr.backstop(mapper.HeapObjects()+256<<20))
	with, err := mp.Handle(ctx, event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	without, err := mp.Handle(context.Background(), event(t, "v2"))
	if err != nil {
		t.Fatal(err)
	}
	if string(with) != string(without) {
		t.Errorf("with the backstop:\n%s\nwithout:\n%s", with, without)
	}
	if len(tr.stops) != 0 {
		t.Errorf("the backstop tripped: %v", tr.stops)
	}
}
