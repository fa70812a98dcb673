package mapper_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// scaledMapping is a V2 mapping with n claims over one user item: a mix of
// copies, string transforms, conditions and defaults, as real mappings have.
func scaledMapping(n int) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\nclaims:\n")
	for i := range n {
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, "  c%d: user.FirstName\n", i)
		case 1:
			fmt.Fprintf(&b, "  c%d: upper(user.LastName) + \"-%d\"\n", i, i)
		case 2:
			fmt.Fprintf(&b, "  c%d:\n    value: user.plan ?? \"free\"\n    when: user.active == true\n", i)
		default:
			// Quoted: in YAML, " #" starts a comment.
			fmt.Fprintf(&b, "  c%d: 'filter(user.roles, # != \"guest\")'\n", i)
		}
	}
	return []byte(b.String())
}

var scaleSizes = []int{10, 100, 1000}

func scaleStore() mapper.Store {
	return localdata.New(map[string][]mapper.Item{"Users": {{
		"userName": "jdoe", "FirstName": "Ben", "LastName": "Pyle",
		"active": true, "roles": []any{"admin", "guest", "dev"},
	}}})
}

// BenchmarkScaleEvaluate: one V2 event through mappings of 10, 100 and
// 1,000 claims; time should grow linearly with the claims.
func BenchmarkScaleEvaluate(b *testing.B) {
	event := readFile(b, "../testdata/events/v2.json")
	for _, n := range scaleSizes {
		mp, err := loadErr(mapper.Load(scaledMapping(n), mapper.LoadOptions{File: "mapping.yaml", Store: scaleStore()}))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("claims=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := mp.Handle(context.Background(), event); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkScaleLoad: parse, validate and compile the same mappings, as the
// Lambda does once at init (goal: a 100-claim mapping under 20 ms).
func BenchmarkScaleLoad(b *testing.B) {
	for _, n := range scaleSizes {
		src := scaledMapping(n)
		b.Run(fmt.Sprintf("claims=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := loadErr(mapper.Load(src, mapper.LoadOptions{File: "mapping.yaml", Store: scaleStore()})); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The scaled mappings must produce every claim, or the benchmark measures
// less than it says.
func TestScaledMappingProducesEveryClaim(t *testing.T) {
	mp, err := loadErr(mapper.Load(scaledMapping(100), mapper.LoadOptions{File: "mapping.yaml", Store: scaleStore()}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := mp.Handle(context.Background(), readFile(t, "../testdata/events/v2.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"c0":"Ben"`, `"c1":"PYLE-1"`, `"c2":"free"`, `"c99":["admin","dev"]`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("response lacks %s", want)
		}
	}
}
