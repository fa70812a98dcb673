package preview

import (
	"context"
	"testing"

	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestRecorderKeepsWholeItemsPerTable(t *testing.T) {
	t.Parallel()
	data := localdata.New(map[string][]mapper.Item{
		"Users": {{"userName": "a", "FirstName": "A", "Department": "D"}},
		"Teams": {{"PK": "a", "SK": "1"}, {"PK": "a", "SK": "2"}},
	})
	r := &Recorder{Store: data}
	ctx := context.Background()
	it, err := r.GetItem(ctx, mapper.GetItemInput{Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: "a"}}, Projection: []string{"FirstName"}})
	if err != nil || len(it) != 1 || it["FirstName"] != "A" {
		t.Fatalf("GetItem = %v, %v; want FirstName only, as asked", it, err)
	}
	if _, err := r.GetItem(ctx, mapper.GetItemInput{Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: "nobody"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Query(ctx, mapper.QueryInput{Table: "Teams", Partition: mapper.Attr{Name: "PK", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	if rows, ok := r.Rows("Users"); !ok || len(rows) != 1 || rows[0]["Department"] != "D" {
		t.Errorf("Users rows = %v, %v", rows, ok)
	}
	if rows, ok := r.Rows("Teams"); !ok || len(rows) != 2 {
		t.Errorf("Teams rows = %v, %v", rows, ok)
	}
	if _, ok := r.Rows("Other"); ok {
		t.Error("a table never read has rows")
	}
}
