package localdata_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

const data = `
tables:
  Users:
    - { userName: jdoe, age: 42, score: 4.5, big: 3.0, ok: true, tags: [a, b], addr: { city: Paris }, gone: null }
    - { id: 7, name: seven }
  App:
    - { PK: u1, SK: "T#b", n: 2 }
    - { PK: u1, SK: "T#a", n: 1 }
    - { PK: u1, SK: "P", n: 0 }
    - { PK: u2, SK: "T#c", n: 3 }
  Empty: []
`

func TestDataFileValuesMatchDynamoDBs(t *testing.T) {
	d, err := localdata.Parse("data.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.GetItem(context.Background(), mapper.GetItemInput{Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: "jdoe"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := mapper.Item{"userName": "jdoe", "age": int64(42), "score": 4.5, "big": int64(3), "ok": true,
		"tags": []any{"a", "b"}, "addr": map[string]any{"city": "Paris"}, "gone": nil}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("item = %#v\nwant %#v", got, want)
	}
}

func TestLookups(t *testing.T) {
	d, err := localdata.Parse("data.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Run("a numeric key matches whatever its Go number type", func(t *testing.T) {
		it, _ := d.GetItem(ctx, mapper.GetItemInput{Table: "Users", Key: []mapper.Attr{{Name: "id", Value: 7}}})
		if it["name"] != "seven" {
			t.Errorf("got %v", it)
		}
	})
	t.Run("a missing item is nil without error", func(t *testing.T) {
		it, err := d.GetItem(ctx, mapper.GetItemInput{Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: "nobody"}}})
		if it != nil || err != nil {
			t.Errorf("got %v, %v", it, err)
		}
	})
	t.Run("a projection returns only the named attributes", func(t *testing.T) {
		it, _ := d.GetItem(ctx, mapper.GetItemInput{Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: "jdoe"}}, Projection: []string{"age", "nope"}})
		if !reflect.DeepEqual(it, mapper.Item{"age": int64(42)}) {
			t.Errorf("got %v", it)
		}
	})
	t.Run("a query keeps the partition and the sort-key prefix, sorted, limited", func(t *testing.T) {
		items, _ := d.Query(ctx, mapper.QueryInput{Table: "App", Partition: mapper.Attr{Name: "PK", Value: "u1"},
			SortPrefix: &mapper.Attr{Name: "SK", Value: "T#"}, Limit: 5, Projection: []string{"n"}})
		if !reflect.DeepEqual(items, []mapper.Item{{"n": int64(1)}, {"n": int64(2)}}) {
			t.Errorf("got %v", items)
		}
	})
	t.Run("an unknown table is an error naming it", func(t *testing.T) {
		_, err := d.Query(ctx, mapper.QueryInput{Table: "Nope", Partition: mapper.Attr{Name: "PK", Value: "u1"}})
		if err == nil || !strings.Contains(err.Error(), `table "Nope" is not in the data file`) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("an empty table exists", func(t *testing.T) {
		if _, err := d.Query(ctx, mapper.QueryInput{Table: "Empty", Partition: mapper.Attr{Name: "PK", Value: "u1"}}); err != nil {
			t.Error(err)
		}
	})
}

func TestBadDataFiles(t *testing.T) {
	for name, src := range map[string]string{
		"unknown top-level key": "table:\n  Users: []\n",
		"items not a list":      "tables:\n  Users: { a: 1 }\n",
		"not YAML":              "tables: [\n",
		"an item not a map":     "tables:\n  Users: [1]\n",
		"empty":                 "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := localdata.Parse("data.yaml", []byte(src))
			if err == nil || !strings.HasPrefix(err.Error(), "data.yaml:") || strings.Contains(err.Error(), "interface") {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestBadDataFileReportsEveryProblem(t *testing.T) {
	_, err := localdata.Parse("data.yaml", []byte("table:\n  Users: []\ntables:\n  Users: [1]\n  Roles: { a: 1 }\n"))
	if err == nil {
		t.Fatal("a data file with three problems loaded")
	}
	for _, want := range []string{
		`data.yaml:1:1: table: unknown key "table" in the data file (did you mean "tables"?)`,
		`data.yaml:4:11: tables.Users[0]: an item should be attribute: value pairs`,
		`data.yaml:5:10: tables.Roles: table "Roles" should be a list of items`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestDataFilesReadValuesAsDynamoDBWouldReturnThem(t *testing.T) {
	d, err := localdata.Parse("data.yaml", []byte("tables:\n  T:\n    - { id: a, day: 2024-01-01, at: 2024-01-01T10:00:00Z, bin: !!binary aGVsbG8=, n: 1e3, z: 0 }\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := d.GetItem(context.Background(), mapper.GetItemInput{Table: "T", Key: []mapper.Attr{{Name: "id", Value: "a"}}})
	want := mapper.Item{"id": "a", "day": "2024-01-01", "at": "2024-01-01T10:00:00Z", "bin": "aGVsbG8=", "n": int64(1000), "z": int64(0)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("item = %#v\nwant %#v", got, want)
	}
}

func TestAQueryReturnsItsPartitionInSortKeyOrder(t *testing.T) {
	ctx := context.Background()
	query := func(t *testing.T, src string, in mapper.QueryInput) ([]any, error) {
		t.Helper()
		d, err := localdata.Parse("data.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		items, err := d.Query(ctx, in)
		var out []any
		for _, it := range items {
			out = append(out, it["SK"])
		}
		return out, err
	}
	app := mapper.QueryInput{Table: "App", Partition: mapper.Attr{Name: "PK", Value: "u1"}}
	t.Run("inferred from the items when one attribute tells them apart", func(t *testing.T) {
		got, err := query(t, "tables:\n  App:\n    - { PK: u1, SK: b, role: x }\n    - { PK: u1, SK: a, role: x }\n    - { PK: u2, SK: 0, role: y }\n", app)
		if err != nil || !reflect.DeepEqual(got, []any{"a", "b"}) {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("numbers sort by value", func(t *testing.T) {
		got, err := query(t, "tables:\n  App:\n    - { PK: u1, SK: 10 }\n    - { PK: u1, SK: 9 }\n    - { PK: u1, SK: 9.5 }\n", app)
		if err != nil || !reflect.DeepEqual(got, []any{int64(9), 9.5, int64(10)}) {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("declared keys decide", func(t *testing.T) {
		got, err := query(t, "tables:\n  App:\n    keys: { partition: PK, sort: SK }\n    items:\n      - { PK: u1, SK: b, n: 1 }\n      - { PK: u1, SK: a, n: 2 }\n", app)
		if err != nil || !reflect.DeepEqual(got, []any{"a", "b"}) {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("an index's declared sort key orders an index query", func(t *testing.T) {
		in := mapper.QueryInput{Table: "App", Index: "byRole", Partition: mapper.Attr{Name: "role", Value: "x"}}
		got, err := query(t, "tables:\n  App:\n    indexes: { byRole: { partition: role, sort: n } }\n    items:\n      - { PK: u1, SK: a, role: x, n: 2 }\n      - { PK: u2, SK: b, role: x, n: 1 }\n", in)
		if err != nil || !reflect.DeepEqual(got, []any{"b", "a"}) {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("an ambiguous sort key that changes the order is an error saying to declare it", func(t *testing.T) {
		_, err := query(t, "tables:\n  App:\n    - { PK: u1, SK: b, n: 1 }\n    - { PK: u1, SK: a, n: 2 }\n", app)
		if err == nil || !strings.Contains(err.Error(), "could be sorted by SK or n; declare it, e.g. App: { keys: { partition: PK, sort: SK }") {
			t.Errorf("err = %v", err)
		}
	})
}

func TestATableWrittenTwiceIsAnError(t *testing.T) {
	_, err := localdata.Parse("data.yaml", []byte("tables:\n  Users: []\n  Users: [{ id: 1 }]\n"))
	if err == nil || !strings.Contains(err.Error(), `data.yaml:3:3: tables.Users: "Users" is written twice`) {
		t.Errorf("err = %v", err)
	}
}

func TestAliasedItemsAreRead(t *testing.T) {
	d, err := localdata.Parse("data.yaml", []byte("base: &u { id: a, name: Ann }\ntables:\n  Users:\n    - *u\n"))
	if err == nil {
		t.Fatalf("a file with a key besides tables: was accepted: %v", d)
	}
	d, err = localdata.Parse("data.yaml", []byte("tables:\n  Users:\n    - &u { id: a, name: Ann }\n  Copy:\n    - *u\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := d.GetItem(context.Background(), mapper.GetItemInput{Table: "Copy", Key: []mapper.Attr{{Name: "id", Value: "a"}}})
	if got["name"] != "Ann" {
		t.Errorf("got %v", got)
	}
	_, err = localdata.Parse("data.yaml", []byte("tables:\n  Users:\n    - &u { id: a, self: *u }\n"))
	if err == nil || !strings.Contains(err.Error(), "refers to itself") {
		t.Errorf("err = %v", err)
	}
}

func TestADataFileIsOneDocument(t *testing.T) {
	_, err := localdata.Parse("data.yaml", []byte("tables:\n  Users: []\n---\ntables:\n  More: []\n"))
	if err == nil || !strings.Contains(err.Error(), "one YAML document") {
		t.Errorf("err = %v", err)
	}
}

// A data file that is not valid YAML is explained as a mapping's YAML
// error is: at the line it is on, with what to do, not the YAML library's
// words alone; a broken second document points at its --- line.
func TestDataFileYAMLErrorsSayWhereAndWhat(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"a tab in the indentation", "tables:\n\tUsers: []\n",
			"data.yaml:2:1: this is not valid YAML: found character that cannot start any token; indent with spaces, not tabs"},
		{"a bracket never closed", "tables:\n  Users: [\n",
			"data.yaml:2:3: this is not valid YAML"},
		{"a second document that is not valid YAML", "tables:\n  Users: []\n---\nfoo: [\n",
			"data.yaml:3:1: a data file is one YAML document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := localdata.Parse("data.yaml", []byte(tc.src))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant it to start with %q", err, tc.want)
			}
		})
	}
}
