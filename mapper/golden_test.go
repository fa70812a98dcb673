package mapper_test

import (
	"context"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestGoldenResponses runs the full-format mapping against one event of each
// version and compares the whole returned event with a golden file.
func TestGoldenResponses(t *testing.T) {
	store := tables(t, string(readFile(t, "../testdata/full/data.yaml")))
	mp := load(t, string(readFile(t, "../testdata/full/mapping.yaml")), store)
	for _, v := range []string{"v1", "v2", "v3"} {
		t.Run("the "+v+" event gets its golden response", func(t *testing.T) {
			out, err := mp.Handle(context.Background(), readFile(t, "../testdata/events/"+v+".json"))
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "../testdata/full/golden/"+v+".json", out)
		})
	}
}

// TestSeedMapping is the original scenario: first and last name from the
// SampleUsers table, looked up by the Cognito user name.
func TestSeedMapping(t *testing.T) {
	t.Setenv("TABLE_NAME", "SampleUsers")
	mp, err := loadErr(mapper.Load(readFile(t, "../testdata/seed/mapping.yaml"), mapper.LoadOptions{File: "mapping.yaml", Env: config.Env{Allow: []string{"TABLE_NAME"}}, Store: tables(t, string(readFile(t, "../testdata/seed/users.yaml")))}))
	if err != nil {
		t.Fatal(err)
	}
	resp := handle(t, mp, readFile(t, "../testdata/seed/event.json"))
	got := jsonText(dig(resp, "claimsOverrideDetails", "claimsToAddOrOverride"))
	if want := `{"firstName":"Ben","lastName":"Pyle"}`; got != want {
		t.Errorf("claims = %s, want %s", got, want)
	}
}
