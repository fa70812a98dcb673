package dynamo

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// fakeAPI records requests and answers with fixed values.
type fakeAPI struct {
	gets    []*dynamodb.GetItemInput
	queries []*dynamodb.QueryInput
	item    map[string]types.AttributeValue
	items   []map[string]types.AttributeValue
	err     error
}

func (f *fakeAPI) GetItem(ctx context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.gets = append(f.gets, in)
	if f.err != nil {
		return nil, f.err
	}
	return &dynamodb.GetItemOutput{Item: f.item}, nil
}

func (f *fakeAPI) Query(ctx context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.queries = append(f.queries, in)
	if f.err != nil {
		return nil, f.err
	}
	return &dynamodb.QueryOutput{Items: f.items}, nil
}

func TestGetItemProjectsThroughPlaceholders(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{item: map[string]types.AttributeValue{"name": &types.AttributeValueMemberS{Value: "Ben"}}}
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
	if aws.ToString(req.ProjectionExpression) != "#n0, #n1, #n2" {
		t.Errorf("projection = %q", aws.ToString(req.ProjectionExpression))
	}
	wantNames := map[string]string{"#n0": "name", "#n1": "a.b", "#n2": "status"}
	if !reflect.DeepEqual(req.ExpressionAttributeNames, wantNames) {
		t.Errorf("names = %v, want %v", req.ExpressionAttributeNames, wantNames)
	}
	if !aws.ToBool(req.ConsistentRead) {
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
	if req.ProjectionExpression != nil || req.ExpressionAttributeNames != nil {
		t.Errorf("projection %v, names %v; want none", req.ProjectionExpression, req.ExpressionAttributeNames)
	}
}

func TestQueryBuildsKeyCondition(t *testing.T) {
	t.Parallel()
	api := &fakeAPI{items: []map[string]types.AttributeValue{{"sk": &types.AttributeValueMemberS{Value: "ROLE#a"}}}}
	got, err := New(api, nil).Query(context.Background(), mapper.QueryInput{
		Table: "App", Index: "gsi1", Partition: mapper.Attr{Name: "pk", Value: "USER#ben"},
		SortPrefix: &mapper.Attr{Name: "sk", Value: "ROLE#"}, Limit: 5, Projection: []string{"sk"},
	})
	if err != nil || len(got) != 1 || got[0]["sk"] != "ROLE#a" {
		t.Fatalf("got %v, %v", got, err)
	}
	req := api.queries[0]
	if c := aws.ToString(req.KeyConditionExpression); c != "#n0 = :pk AND begins_with(#n1, :sk)" {
		t.Errorf("condition = %q", c)
	}
	if aws.ToString(req.IndexName) != "gsi1" || aws.ToInt32(req.Limit) != 5 || aws.ToString(req.ProjectionExpression) != "#n2" {
		t.Errorf("index %q, limit %d, projection %q", aws.ToString(req.IndexName), aws.ToInt32(req.Limit), aws.ToString(req.ProjectionExpression))
	}
	if req.ConsistentRead != nil {
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
}
