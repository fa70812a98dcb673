package mapper_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// handwritten is the seed job as the original article writes it: decode the
// V1 event into aws-lambda-go's type, get the user by userName, copy two
// attributes into claimsToAddOrOverride, encode. It reads the same in-memory
// store as the mapper so that only the handler differs.
func handwritten(ctx context.Context, store mapper.Store, raw []byte) ([]byte, error) {
	var ev events.CognitoEventUserPoolsPreTokenGen
	if err := json.Unmarshal(raw, &ev); err != nil {
		return nil, err
	}
	item, err := store.GetItem(ctx, mapper.GetItemInput{
		Table:      "SampleUsers",
		Key:        []mapper.Attr{{Name: "userName", Value: ev.UserName}},
		Projection: []string{"FirstName", "LastName"},
	})
	if err != nil {
		return nil, err
	}
	claims := map[string]string{}
	if first, ok := item["FirstName"].(string); ok {
		claims["firstName"] = first
	}
	if last, ok := item["LastName"].(string); ok {
		claims["lastName"] = last
	}
	ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = claims
	ev.Response.ClaimsOverrideDetails.GroupOverrideDetails = events.GroupConfiguration{
		GroupsToOverride:   ev.Request.GroupConfiguration.GroupsToOverride,
		IAMRolesToOverride: ev.Request.GroupConfiguration.IAMRolesToOverride,
		PreferredRole:      ev.Request.GroupConfiguration.PreferredRole,
	}
	return json.Marshal(ev)
}

// BenchmarkHandler compares, on the full path (decode, look up, evaluate,
// encode), the mapper running the seed mapping with the hand-written handler.
func BenchmarkHandler(b *testing.B) {
	ctx := context.Background()
	store, err := localdata.Load("../testdata/seed/users.yaml")
	if err != nil {
		b.Fatal(err)
	}
	event := readFile(b, "../testdata/seed/event.json")
	mp, err := loadErr(mapper.Load(readFile(b, "../testdata/seed/mapping.yaml"), mapper.LoadOptions{File: "mapping.yaml", Env: config.Env{Lookup: func(string) (string, bool) { return "SampleUsers", true }, Allow: []string{"TABLE_NAME"}}, Store: store}))
	if err != nil {
		b.Fatal(err)
	}
	run := func(name string, h func(context.Context, []byte) ([]byte, error)) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h(ctx, event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The mapper as the Lambda runs it: counting for the metrics into a
	// Stats it reuses.
	var stats mapper.Stats
	run("mapper", func(ctx context.Context, raw []byte) ([]byte, error) { return mp.HandleStats(ctx, raw, &stats) })
	run("handwritten", func(ctx context.Context, raw []byte) ([]byte, error) { return handwritten(ctx, store, raw) })
}

// TestHandwrittenMatchesMapper keeps the benchmark honest: both handlers
// put the same claims in the token.
func TestHandwrittenMatchesMapper(t *testing.T) {
	store, err := localdata.Load("../testdata/seed/users.yaml")
	if err != nil {
		t.Fatal(err)
	}
	event := readFile(t, "../testdata/seed/event.json")
	mp, err := loadErr(mapper.Load(readFile(t, "../testdata/seed/mapping.yaml"), mapper.LoadOptions{File: "mapping.yaml", Env: config.Env{Lookup: func(string) (string, bool) { return "SampleUsers", true }, Allow: []string{"TABLE_NAME"}}, Store: store}))
	if err != nil {
		t.Fatal(err)
	}
	a, err := mp.Handle(context.Background(), event)
	if err != nil {
		t.Fatal(err)
	}
	h, err := handwritten(context.Background(), store, event)
	if err != nil {
		t.Fatal(err)
	}
	claims := func(raw []byte) string {
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return jsonText(dig(v, "response", "claimsOverrideDetails", "claimsToAddOrOverride"))
	}
	if claims(a) != claims(h) {
		t.Errorf("mapper claims %s, hand-written %s", claims(a), claims(h))
	}
}
