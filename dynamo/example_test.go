package dynamo_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// table answers as DynamoDB would for one item; in production the API is
// the signed client Open builds.
type table struct{}

func (table) Call(_ context.Context, op string, in, out any) error {
	req, _ := json.Marshal(in)
	var r struct{ TableName, ProjectionExpression string }
	_ = json.Unmarshal(req, &r)
	fmt.Printf("%s %s projecting %s\n", op, r.TableName, r.ProjectionExpression)
	return json.Unmarshal([]byte(`{"Item": {"FirstName": {"S": "Ben"}, "Age": {"N": "41"}, "Roles": {"SS": ["b", "a"]}}}`), out)
}

// New serves a mapping's sources from DynamoDB, asking only for the
// attributes the mapping reads, and gives the values expressions see: a
// whole number is an int64, a set a sorted list.
func ExampleNew() {
	store := dynamo.New(table{}, nil)
	item, err := store.GetItem(context.Background(), mapper.GetItemInput{
		Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: "ben"}}, Projection: []string{"FirstName", "Age", "Roles"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v %T\n", item, item["Age"])
	// Output:
	// GetItem Users projecting #n0, #n1, #n2
	// map[Age:41 FirstName:Ben Roles:[a b]] int64
}
