package dynamo_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// table answers GetItem as DynamoDB would for one item; in production the
// API is a *dynamodb.Client (see NewClient and Open).
type table struct{}

func (table) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	fmt.Printf("GetItem %s projecting %s\n", *in.TableName, *in.ProjectionExpression)
	return &dynamodb.GetItemOutput{Item: map[string]types.AttributeValue{
		"FirstName": &types.AttributeValueMemberS{Value: "Ben"},
		"Age":       &types.AttributeValueMemberN{Value: "41"},
		"Roles":     &types.AttributeValueMemberSS{Value: []string{"b", "a"}},
	}}, nil
}

func (table) Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return &dynamodb.QueryOutput{}, nil
}

// New serves a mapping's sources from DynamoDB, asking only for the
// attributes the mapping reads, and gives the values expressions see.
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
