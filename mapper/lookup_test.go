package mapper_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// recorder is a Store that records its requests and answers from a fixed item.
type recorder struct {
	mu    sync.Mutex
	gets  []mapper.GetItemInput
	query []mapper.QueryInput
}

func (r *recorder) store() mapper.Store {
	return storeFuncs{
		GetFunc: func(_ context.Context, in mapper.GetItemInput) (mapper.Item, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.gets = append(r.gets, in)
			return mapper.Item{"tenantId": "acme", "FirstName": "Jane"}, nil
		},
		QueryFunc: func(_ context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.query = append(r.query, in)
			return []mapper.Item{{"SK": "TENANT#a"}}, nil
		},
	}
}

func TestProjectionAsksOnlyForWhatExpressionsRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, mapping string
		want          []string // projection of the first GetItem; nil means all
	}{
		{"member access and the key", "claims:\n  a: user.FirstName\n  b: user?.LastName\n  c: user[\"odd name\"]\n", []string{"FirstName", "LastName", "odd name", "userName"}},
		{"a nil check needs only the key", "claims:\n  a: user != nil\n", []string{"userName"}},
		{"conditions and groups count too", "claims:\n  a: { value: '1', when: user.active }\ngroups:\n  override: user.roles\nscopes:\n  add: ['\"t:\" + user.tenantId']\n", []string{"active", "roles", "tenantId", "userName"}},
		{"using the whole item fetches every attribute", "claims:\n  a: user\n", nil},
		{"a computed attribute name fetches every attribute", "claims:\n  a: user[event.clientId]\n", nil},
		{"len of an item counts every attribute, so it fetches them all", "claims:\n  a: len(user)\n", nil},
		{"keys of an item fetch every attribute", "claims:\n  a: keys(user)\n", nil},
		{"values of an item fetch every attribute", "claims:\n  a: len(values(user))\n", nil},
		{"passing the item to a function fetches every attribute", "claims:\n  a: toJSON(user)\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var r recorder
			mp := load(t, "version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\n"+tt.mapping, r.store())
			handle(t, mp, event(t, "v2"))
			if len(r.gets) != 1 {
				t.Fatalf("%d GetItem requests, want exactly 1", len(r.gets))
			}
			if got := r.gets[0].Projection; !slices.Equal(got, tt.want) {
				t.Errorf("projection = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQueryProjectionFollowsPredicates(t *testing.T) {
	t.Parallel()
	var r recorder
	mp := load(t, `version: 1
sources:
  m:
    table: App
    index: byUser
    query:
      partition: { GSI1PK: '"USER#" + event.userName' }
      sortBeginsWith: { GSI1SK: '"TENANT#"' }
    limit: 5
    consistentRead: true
claims:
  tenants: map(m, {#.SK[7:]})
  admin: any(m, {#.role == "owner" && all(#.tags, {# != "x"})})
`, r.store())
	handle(t, mp, event(t, "v2"))
	if len(r.query) != 1 {
		t.Fatalf("%d Query requests, want 1", len(r.query))
	}
	q := r.query[0]
	if want := []string{"GSI1PK", "GSI1SK", "SK", "role", "tags"}; !slices.Equal(q.Projection, want) {
		t.Errorf("projection = %q, want %q", q.Projection, want)
	}
	if q.Index != "byUser" || q.Limit != 5 || !q.ConsistentRead || q.Partition.Value != "USER#jdoe" || q.SortPrefix.Value != "TENANT#" {
		t.Errorf("query = %+v", q)
	}
}

// TestIndependentSourcesRunConcurrently proves concurrency without timing:
// each lookup waits until the other has started.
func TestIndependentSourcesRunConcurrently(t *testing.T) {
	t.Parallel()
	var started sync.WaitGroup
	started.Add(2)
	both := make(chan struct{})
	go func() { started.Wait(); close(both) }()
	store := storeFuncs{GetFunc: func(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
		started.Done()
		select {
		case <-both:
			return mapper.Item{"name": in.Table}, nil
		case <-ctx.Done():
			return nil, errors.New("the other lookup never started")
		}
	}}
	mp := load(t, `version: 1
timeout: 3s
sources:
  a: { table: AAA, key: { id: event.userName }, onError: fail }
  b: { table: BBB, key: { id: event.userName }, onError: fail }
claims:
  a: a.name
  b: b.name
`, store)
	resp := handle(t, mp, event(t, "v2"))
	if got := jsonText(dig(resp, "claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride")); got != `{"a":"AAA","b":"BBB"}` {
		t.Errorf("claims = %s", got)
	}
}

func TestDependentSourceWaitsAndCanBeSkipped(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var order []string
	store := storeFuncs{GetFunc: func(_ context.Context, in mapper.GetItemInput) (mapper.Item, error) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, in.Table)
		if in.Table == "Users" && in.Key[0].Value == "jdoe" {
			return mapper.Item{"tenantId": "acme"}, nil
		}
		return mapper.Item{"name": "Acme"}, nil
	}}
	mp := load(t, `version: 1
sources:
  tenant:
    table: Tenants
    key: { tenantId: user.tenantId }
    when: user?.tenantId != nil
  user:
    table: Users
    key: { userName: event.userName }
claims:
  tenant: tenant?.name
`, store)
	handle(t, mp, event(t, "v2"))
	if !slices.Equal(order, []string{"Users", "Tenants"}) {
		t.Errorf("lookup order = %q, want Users then Tenants", order)
	}
	order = nil
	handle(t, mp, event(t, "v3")) // no user name: user is skipped, so is tenant
	if len(order) != 0 {
		t.Errorf("lookups for a client-credentials event = %q, want none", order)
	}
}

func TestSourceErrors(t *testing.T) {
	t.Parallel()
	broken := storeFuncs{GetFunc: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
		return nil, errors.New("connection refused to the table server")
	}}
	const base = "version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\n"
	t.Run("onError ignore issues the token without the source", func(t *testing.T) {
		mp := load(t, base+"claims:\n  name: user.FirstName\n  plan: { const: free }\n", broken)
		resp := handle(t, mp, event(t, "v2"))
		if got := jsonText(dig(resp, "claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride")); got != `{"plan":"free"}` {
			t.Errorf("claims = %s", got)
		}
	})
	t.Run("onError fail fails the event with a message safe to show", func(t *testing.T) {
		mp := load(t, base+"    onError: fail\nclaims:\n  name: user.FirstName\n", broken)
		_, err := mp.Handle(context.Background(), event(t, "v2"))
		var ee *mapper.EventError
		if !errors.As(err, &ee) {
			t.Fatalf("err = %v, want an EventError", err)
		}
		if strings.Contains(err.Error(), "connection") || !strings.Contains(err.Error(), "try again") {
			t.Errorf("public message %q leaks the cause or gives no advice", err)
		}
		if !strings.Contains(ee.Err.Error(), "connection refused") {
			t.Errorf("cause %q lost", ee.Err)
		}
	})
	t.Run("a hanging store is abandoned at the mapping's timeout", func(t *testing.T) {
		hang := storeFuncs{GetFunc: func(ctx context.Context, _ mapper.GetItemInput) (mapper.Item, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		}}
		mp := load(t, "version: 1\ntimeout: 20ms\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\nclaims:\n  name: user.FirstName ?? \"unknown\"\n", hang)
		resp := handle(t, mp, event(t, "v2"))
		if got := jsonText(dig(resp, "claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride")); got != `{"name":"unknown"}` {
			t.Errorf("claims = %s", got)
		}
	})
	t.Run("a key that is not text or a number is an error of the source", func(t *testing.T) {
		mp := load(t, "version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: event.groups }\n    onError: fail\nclaims:\n  name: user.FirstName\n", broken)
		_, err := mp.Handle(context.Background(), event(t, "v2"))
		var ee *mapper.EventError
		if !errors.As(err, &ee) || !strings.Contains(ee.Err.Error(), "a key must be text or a number, not a list") {
			t.Errorf("err = %v (%v)", err, ee)
		}
	})
	t.Run("a key that is not a finite number is an error of the source, and no request", func(t *testing.T) {
		calls := 0
		counting := storeFuncs{GetFunc: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
			calls++
			return nil, nil
		}}
		for _, key := range []string{"len(event.userName) / 0", "-len(event.userName) / 0", "(len(event.userName) - 4) / 0"} {
			mp := load(t, "version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: '"+key+"' }\n    onError: fail\nclaims:\n  name: user.FirstName\n", counting)
			_, err := mp.Handle(context.Background(), event(t, "v2"))
			var ee *mapper.EventError
			if !errors.As(err, &ee) || !strings.Contains(ee.Err.Error(), "a key must be text or a finite number") {
				t.Errorf("%s: err = %v (%v)", key, err, ee)
			}
		}
		if calls != 0 {
			t.Errorf("%d requests made with a key DynamoDB cannot hold", calls)
		}
	})
}

func TestOnClaimErrorFailFailsTheEvent(t *testing.T) {
	t.Parallel()
	mp := load(t, "version: 1\nonClaimError: fail\nclaims:\n  n: int(event.userName)\n", nil)
	_, err := mp.Handle(context.Background(), event(t, "v2"))
	var ee *mapper.EventError
	if !errors.As(err, &ee) || !strings.Contains(ee.Err.Error(), `claim "n"`) {
		t.Fatalf("err = %v, want an EventError naming the claim", err)
	}
}

func TestTimeoutIsNotExceededByManyLevels(t *testing.T) {
	t.Parallel()
	calls := 0
	store := storeFuncs{GetFunc: func(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
		calls++
		if deadline, ok := ctx.Deadline(); !ok || time.Until(deadline) > 2*time.Second {
			t.Errorf("lookup %d runs without the mapping's deadline", calls)
		}
		return mapper.Item{"next": "x"}, nil
	}}
	mp := load(t, "version: 1\nsources:\n  a: { table: AAA, key: { id: event.userName } }\n  b: { table: BBB, key: { id: a.next } }\nclaims:\n  x: b.next\n", store)
	handle(t, mp, event(t, "v2"))
	if calls != 2 {
		t.Errorf("%d lookups, want 2", calls)
	}
}

func TestASourceUsedOnlyAsAWholeIsUsed(t *testing.T) {
	t.Parallel()
	for _, claims := range []string{"n: len(m)", "found: user != nil", "rows: m", "n: len(user)"} {
		mapping := "version: 1\nsources:\n  user: { table: Users, key: { userName: event.userName } }\n  m: { table: App, query: { partition: { PK: event.userName } } }\nclaims:\n  " + claims + "\n  other: user?.x ?? len(m)\n"
		mp, fs := loaded(mapper.Load([]byte(mapping), mapper.LoadOptions{File: "m.yaml"}))
		if mp == nil {
			t.Fatalf("%s: %v", claims, fs)
		}
		for _, f := range fs {
			if f.Rule == "source-unused" {
				t.Errorf("%s: %s", claims, f)
			}
		}
	}
}

func TestLenOfAnItemIsTheSameWhateverElseTheMappingReads(t *testing.T) {
	t.Parallel()
	item := mapper.Item{"userName": "jdoe", "a": "1", "b": "2", "c": "3"}
	store := storeFuncs{GetFunc: func(_ context.Context, in mapper.GetItemInput) (mapper.Item, error) {
		if in.Projection == nil {
			return item, nil
		}
		out := mapper.Item{}
		for _, a := range in.Projection {
			if v, ok := item[a]; ok {
				out[a] = v
			}
		}
		return out, nil
	}}
	for _, extra := range []string{"", "\n  k: keys(user)", "\n  a: user.a"} {
		mp := load(t, "version: 1\nsources:\n  user: { table: Users, key: { userName: event.userName } }\nclaims:\n  n: len(user)"+extra+"\n", store)
		if got := jsonText(dig(handle(t, mp, event(t, "v2")), "claimsAndScopeOverrideDetails", "idTokenGeneration", "claimsToAddOrOverride", "n")); got != "4" {
			t.Errorf("with %q: len(user) = %s, want 4", extra, got)
		}
	}
}
