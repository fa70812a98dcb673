// Command handwrittenlambda is the Pre Token Generation Lambda a team would
// write by hand for the seed scenario: look the user up in TABLE_NAME by
// userName and copy FirstName and LastName into the ID token, with the AWS
// SDK's DynamoDB client built the standard way (config.LoadDefaultConfig).
// It is not part of the product.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/claimsmapper/claimsmapper/config"
)

func main() {
	cfg, err := awsconfig.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h := handler{client: dynamodb.NewFromConfig(cfg), table: os.Getenv("TABLE_NAME")}
	lambda.Start(h.handle)
}

type handler struct {
	client *dynamodb.Client
	table  string
}

func (h handler) handle(ctx context.Context, ev events.CognitoEventUserPoolsPreTokenGen) (events.CognitoEventUserPoolsPreTokenGen, error) {
	// The lookup budget claimsmapper gives a mapping that sets no timeout.
	ctx, cancel := context.WithTimeout(ctx, config.DefaultTimeout)
	defer cancel()
	out, err := h.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:            aws.String(h.table),
		Key:                  map[string]types.AttributeValue{"userName": &types.AttributeValueMemberS{Value: ev.UserName}},
		ProjectionExpression: aws.String("FirstName, LastName"),
	})
	if err != nil {
		return ev, fmt.Errorf("look up user: %w", err)
	}
	claims := map[string]string{}
	for attr, claim := range map[string]string{"FirstName": "firstName", "LastName": "lastName"} {
		if v, ok := out.Item[attr].(*types.AttributeValueMemberS); ok {
			claims[claim] = v.Value
		}
	}
	ev.Response.ClaimsOverrideDetails.ClaimsToAddOrOverride = claims
	return ev, nil
}
