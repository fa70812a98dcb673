package integration

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestDynamoDBCost measures, against dynalite through the real SDK, what the
// computed projection saves and that independent sources are looked up at
// the same time. It logs the figures BENCHMARKS.md records; it asserts on
// counts, never on timings.
func TestDynamoDBCost(t *testing.T) {
	testenv.Integration(t)
	db := testenv.StartDynamoDB(t)
	for _, name := range []string{"Wide", "TableA", "TableB", "TableC"} {
		db.CreateTable(t, testenv.Table{Name: name, PK: "userName"})
	}
	wide := map[string]any{"userName": "jdoe"}
	for i := range 29 {
		wide[fmt.Sprintf("attr%02d", i)] = fmt.Sprintf("value of attribute number %d for this user", i)
	}
	db.Put(t, "Wide", wide)
	for _, name := range []string{"TableA", "TableB", "TableC"} {
		db.Put(t, name, map[string]any{"userName": "jdoe", "v": name})
	}
	proxy := testenv.StartProxy(t, db.Endpoint)
	for k, v := range testenv.AWSEnv(proxy.URL) {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	client, err := dynamo.NewClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	event := readFile(t, "../testdata/events/v2.json")
	load := func(src string) *mapper.Mapper {
		mp, err := mapper.Load("mapping.yaml", []byte(src), config.Options{}, mapper.Options{Store: dynamo.New(client, nil)})
		if err != nil {
			t.Fatal(err)
		}
		return mp
	}

	t.Run("the projection fetches only the mapped attributes", func(t *testing.T) {
		mp := load("version: 1\nsources:\n  user:\n    table: Wide\n    key: { userName: event.userName }\nclaims:\n  a: user.attr01\n  b: user.attr02\n")
		proxy.Requests()
		proxy.Stats()
		if _, err := mp.Handle(ctx, event); err != nil {
			t.Fatal(err)
		}
		reqs := proxy.Requests()
		_, projected := proxy.Stats()
		if _, err := client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Wide"),
			Key: map[string]types.AttributeValue{"userName": &types.AttributeValueMemberS{Value: "jdoe"}}}); err != nil {
			t.Fatal(err)
		}
		proxy.Requests()
		_, whole := proxy.Stats()
		t.Logf("one event: %d request(s); response %d bytes with the projection, %d bytes for the whole 30-attribute item (%.1fx less)",
			len(reqs), projected, whole, float64(whole)/float64(projected))
		if len(reqs) != 1 || projected >= whole {
			t.Errorf("requests %d, projected %d bytes, whole %d bytes", len(reqs), projected, whole)
		}
	})

	t.Run("three independent sources behind a 50 ms delay are looked up at once", func(t *testing.T) {
		mp := load("version: 1\nsources:\n  a: { table: TableA, key: { userName: event.userName } }\n  b: { table: TableB, key: { userName: event.userName } }\n  c: { table: TableC, key: { userName: event.userName } }\nclaims:\n  v: a.v + b.v + c.v\n")
		mp.Handle(ctx, event) // warm the connection pool
		proxy.Stats()
		proxy.SetDelay(50 * time.Millisecond)
		defer proxy.SetDelay(0)
		start := time.Now()
		out, err := mp.Handle(ctx, event)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		inFlight, _ := proxy.Stats()
		t.Logf("three sources, 50 ms delay each: the event took %v, with %d requests in flight at once", took.Round(time.Millisecond), inFlight)
		if inFlight != 3 {
			t.Errorf("%d requests in flight at once, want 3: the sources were not looked up together\n%s", inFlight, out)
		}
	})
}
