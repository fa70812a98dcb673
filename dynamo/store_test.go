package dynamo

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// fakeAPI records requests and answers with fixed values.
type fakeAPI struct {
	gets    []*getItemRequest
	queries []*queryRequest
	item    map[string]AttributeValue
	items   []map[string]AttributeValue
	err     error
}

func (f *fakeAPI) Call(ctx context.Context, op string, in, out any) error {
	switch op {
	case "GetItem":
		f.gets = append(f.gets, in.(*getItemRequest))
		if f.err == nil {
			out.(*getItemAnswer).Item = f.item
		}
	case "Query":
		f.queries = append(f.queries, in.(*queryRequest))
		if f.err == nil {
			out.(*queryAnswer).Items = f.items
		}
	default:
		return fmt.Errorf("unexpected %s", op)
	}
	return f.err
}

func TestGetItemProjectsThroughPlaceholders(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{item: map[string]AttributeValue{"name": Text("Ben")}}
	got, err := New(api, nil).GetItem(context.Background(), mapper.GetItemInput{
		Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: "ben"}},
		Projection: []string{"name", "a.b", "status"}, ConsistentRead: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, mapper.Item{"name": "Ben"}) {
		t.Errorf("item = %#v", got)
	}
	req := api.gets[0]
	if req.ProjectionExpression != "#n0, #n1, #n2" {
		t.Errorf("projection = %q", req.ProjectionExpression)
	}
	wantNames := map[string]string{"#n0": "name", "#n1": "a.b", "#n2": "status"}
	if !reflect.DeepEqual(req.ExpressionAttributeNames, wantNames) {
		t.Errorf("names = %v, want %v", req.ExpressionAttributeNames, wantNames)
	}
	if !req.ConsistentRead {
		t.Error("consistent read not asked for")
	}
}

func TestGetItemWithoutProjectionAsksForEverything(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{}
	got, err := New(api, nil).GetItem(context.Background(), mapper.GetItemInput{
		Table: "Users", Key: []mapper.Attr{{Name: "id", Value: int64(7)}},
	})
	if err != nil || got != nil {
		t.Fatalf("got %v, %v; want not found", got, err)
	}
	req := api.gets[0]
	if req.ProjectionExpression != "" || req.ExpressionAttributeNames != nil {
		t.Errorf("projection %v, names %v; want none", req.ProjectionExpression, req.ExpressionAttributeNames)
	}
}

func TestQueryBuildsKeyCondition(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{items: []map[string]AttributeValue{{"sk": Text("ROLE#a")}}}
	got, err := New(api, nil).Query(context.Background(), mapper.QueryInput{
		Table: "App", Index: "gsi1", Partition: mapper.Attr{Name: "pk", Value: "USER#ben"},
		SortPrefix: &mapper.Attr{Name: "sk", Value: "ROLE#"}, Limit: 5, Projection: []string{"sk"},
	})
	if err != nil || len(got) != 1 || got[0]["sk"] != "ROLE#a" {
		t.Fatalf("got %v, %v", got, err)
	}
	req := api.queries[0]
	if c := req.KeyConditionExpression; c != "#n0 = :pk AND begins_with(#n1, :sk)" {
		t.Errorf("condition = %q", c)
	}
	if req.IndexName != "gsi1" || req.Limit != 5 || req.ProjectionExpression != "#n2" {
		t.Errorf("index %q, limit %d, projection %q", req.IndexName, req.Limit, req.ProjectionExpression)
	}
	if req.ConsistentRead {
		t.Error("consistent read set without being asked for")
	}
}

func TestStoreErrorsNameTheRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"a failed request names the table", errors.New("connection refused"), `GetItem "Users": connection refused`},
		{"a timeout says so", context.DeadlineExceeded, "no answer within the lookup timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(&fakeAPI{err: tt.err}, nil).GetItem(context.Background(), mapper.GetItemInput{
				Table: "Users", Key: []mapper.Attr{{Name: "id", Value: "x"}},
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestQueryRefusesABadPrefix(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{}
	_, err := New(api, nil).Query(context.Background(), mapper.QueryInput{
		Table: "App", Partition: mapper.Attr{Name: "pk", Value: "x"}, SortPrefix: &mapper.Attr{Name: "sk", Value: 3},
	})
	if err == nil || len(api.queries) != 0 {
		t.Fatalf("error %v after %d requests; want an error and no request", err, len(api.queries))
	}
	if want := "a prefix must be text, not a number"; !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want it to say %q (never a Go type)", err, want)
	}
}
