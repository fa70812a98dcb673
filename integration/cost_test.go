package integration

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/awsapi"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// The DynamoDB cost cases: a 30-attribute item of which the mapping reads
// 2, and three independent sources.
const (
	wideMapping  = "version: 1\nsources:\n  user:\n    table: Wide\n    key: { userName: event.userName }\nclaims:\n  a: user.attr01\n  b: user.attr02\n"
	threeMapping = "version: 1\nsources:\n  a: { table: TableA, key: { userName: event.userName } }\n  b: { table: TableB, key: { userName: event.userName } }\n  c: { table: TableC, key: { userName: event.userName } }\nclaims:\n  v: a.v + b.v + c.v\n"
	sourceDelay  = 50 * time.Millisecond
)

// costEnv is dynalite with the cost cases' tables, behind a recording
// proxy, and the function's client pointed at the proxy.
type costEnv struct {
	proxy  *testenv.Proxy
	client dynamo.API
	event  []byte
}

func startCostEnv(tb testing.TB) *costEnv {
	testenv.Integration(tb)
	db := testenv.StartDynamoDB(tb)
	for _, name := range []string{"Wide", "TableA", "TableB", "TableC"} {
		db.CreateTable(tb, testenv.Table{Name: name, PK: "userName"})
	}
	wide := map[string]any{"userName": "jdoe"}
	for i := range 29 {
		wide[fmt.Sprintf("attr%02d", i)] = fmt.Sprintf("value of attribute number %d for this user", i)
	}
	db.Put(tb, "Wide", wide)
	for _, name := range []string{"TableA", "TableB", "TableC"} {
		db.Put(tb, name, map[string]any{"userName": "jdoe", "v": name})
	}
	proxy := testenv.StartProxy(tb, db.Endpoint)
	for k, v := range testenv.AWSEnv(proxy.URL) {
		tb.Setenv(k, v)
	}
	cfg, err := awsapi.FromEnv(os.LookupEnv)
	if err != nil {
		tb.Fatal(err)
	}
	client := awsapi.NewDynamoDB(cfg)
	return &costEnv{proxy: proxy, client: client, event: readFile(tb, "../testdata/events/v2.json")}
}

func (c *costEnv) load(tb testing.TB, src string) *mapper.Mapper {
	mp, err := loadErr(mapper.Load([]byte(src), mapper.LoadOptions{File: "mapping.yaml", Store: dynamo.New(c.client, nil)}))
	if err != nil {
		tb.Fatal(err)
	}
	return mp
}

// handle runs one event; it resets the proxy's counters first and returns
// the requests made, the response bytes and the most requests at once.
func (c *costEnv) handle(tb testing.TB, mp *mapper.Mapper) (requests, bytes, inFlight int) {
	c.proxy.Requests()
	c.proxy.Stats()
	if out, err := mp.Handle(context.Background(), c.event); err != nil {
		tb.Fatalf("%v\n%s", err, out)
	}
	inFlight, bytes = c.proxy.Stats()
	return len(c.proxy.Requests()), bytes, inFlight
}

// wholeItem fetches the wide item without a projection, as a handler that
// reads the whole row does, and returns the response bytes.
func (c *costEnv) wholeItem(tb testing.TB) int {
	c.proxy.Stats()
	var out map[string]any
	if err := c.client.Call(context.Background(), "GetItem", map[string]any{"TableName": "Wide",
		"Key": map[string]dynamo.AttributeValue{"userName": dynamo.Text("jdoe")}}, &out); err != nil {
		tb.Fatal(err)
	}
	c.proxy.Requests()
	_, whole := c.proxy.Stats()
	return whole
}

// TestDynamoDBCost checks, against dynalite through the function's client, that the
// computed projection fetches less than the whole item and that
// independent sources are looked up at the same time. It asserts on counts,
// never on timings; BenchmarkDynamoDBCost measures.
func TestDynamoDBCost(t *testing.T) {
	c := startCostEnv(t)

	t.Run("the projection fetches only the mapped attributes", func(t *testing.T) {
		reqs, projected, _ := c.handle(t, c.load(t, wideMapping))
		whole := c.wholeItem(t)
		if reqs != 1 || projected >= whole {
			t.Errorf("requests %d, projected %d bytes, whole %d bytes", reqs, projected, whole)
		}
	})

	t.Run("three independent sources behind a delay are looked up at once", func(t *testing.T) {
		mp := c.load(t, threeMapping)
		c.handle(t, mp) // warm the connection pool
		c.proxy.SetDelay(sourceDelay)
		defer c.proxy.SetDelay(0)
		if reqs, _, inFlight := c.handle(t, mp); reqs != 3 || inFlight != 3 {
			t.Errorf("%d requests, %d in flight at once, want 3 and 3: the sources were not looked up together", reqs, inFlight)
		}
	})
}

// BenchmarkDynamoDBCost reports per event the requests and response bytes
// with the computed projection and for the whole item, and the time of an
// event whose three sources each take 50 ms.
func BenchmarkDynamoDBCost(b *testing.B) {
	c := startCostEnv(b)
	b.Run("projection", func(b *testing.B) {
		mp := c.load(b, wideMapping)
		var reqs, bytes int
		for b.Loop() {
			r, n, _ := c.handle(b, mp)
			reqs, bytes = reqs+r, bytes+n
		}
		b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
		b.ReportMetric(float64(bytes)/float64(b.N), "resp-bytes/op")
	})
	b.Run("whole-item", func(b *testing.B) {
		var bytes int
		for b.Loop() {
			bytes += c.wholeItem(b)
		}
		b.ReportMetric(1, "requests/op")
		b.ReportMetric(float64(bytes)/float64(b.N), "resp-bytes/op")
	})
	b.Run("three-sources-50ms", func(b *testing.B) {
		mp := c.load(b, threeMapping)
		c.handle(b, mp)
		c.proxy.SetDelay(sourceDelay)
		defer c.proxy.SetDelay(0)
		least := 3
		var reqs int
		for b.Loop() {
			r, _, inFlight := c.handle(b, mp)
			reqs += r
			least = min(least, inFlight)
		}
		b.ReportMetric(float64(reqs)/float64(b.N), "requests/op")
		b.ReportMetric(float64(least), "min-in-flight")
	})
}

// loadErr turns Load's findings into the error they amount to.
func loadErr(mp *mapper.Mapper, _ []config.Finding, err error) (*mapper.Mapper, error) {
	return mp, err
}
