package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/publish"
)

// readMappingRef reads a mapping from a file, standard input ("-") or
// s3://bucket/key[?versionId=V].
func readMappingRef(ctx context.Context, ref string, stdin io.Reader) ([]byte, error) {
	if !strings.HasPrefix(ref, "s3://") {
		src, err := readInput(ref, stdin)
		if err != nil {
			return nil, fmt.Errorf("cannot read the mapping: %w", err)
		}
		return src, nil
	}
	loc, err := publish.ParseLocation(ref)
	if err != nil {
		return nil, err
	}
	client, err := mappingfile.NewS3Client(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	obj, err := publish.Get(ctx, client, loc)
	if err != nil {
		return nil, err
	}
	if !obj.Exists {
		return nil, fmt.Errorf("%s does not exist", ref)
	}
	return obj.Text, nil
}

func newDynamoClient(ctx context.Context) (*dynamodb.Client, error) {
	client, err := dynamo.NewClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("DynamoDB: %w", err)
	}
	return client, nil
}
