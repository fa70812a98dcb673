package localdata_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// FuzzParse: no data file, however malformed, makes Parse or a lookup on
// what it accepted panic.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../testdata/*/*.yaml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("tables:\n  T:\n    keys: { partition: PK, sort: SK }\n    items:\n      - &a { PK: 1, SK: b }\n      - *a\n"))
	f.Add([]byte("tables:\n  T: [{ PK: 1, SK: 2, n: 1 }, { PK: 1, SK: 1, n: 2 }]\n---\n"))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := localdata.Parse("fuzz.yaml", src)
		if err != nil {
			return
		}
		for _, table := range []string{"T", "Users", "App"} {
			for _, pk := range []any{int64(1), "u1", "USER#jdoe"} {
				d.Query(ctx, mapper.QueryInput{Table: table, Partition: mapper.Attr{Name: "PK", Value: pk}})
				d.GetItem(ctx, mapper.GetItemInput{Table: table, Key: []mapper.Attr{{Name: "PK", Value: pk}}})
			}
		}
	})
}
