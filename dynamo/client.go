package dynamo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// NewClient builds a DynamoDB client from the standard AWS configuration:
// region and credentials from the environment (or shared files), and the
// endpoint from AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL when set, which
// is how tests and local runs point it at a local server. Build it once per
// process: it holds the connection pool and the credentials cache.
func NewClient(ctx context.Context) (*dynamodb.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		// Lambda always sets AWS_REGION; a CLI user may not have.
		return nil, errors.New("no AWS region is configured: set AWS_REGION")
	}
	return dynamodb.NewFromConfig(cfg), nil
}

// Open returns the store behind a mapping's sources as the function and the
// CLI use it: a client from NewClient, with the cache (NewCache) for the
// sources that ask for one. log may be nil.
func Open(ctx context.Context, log *slog.Logger) (*Cache, error) {
	client, err := NewClient(ctx)
	if err != nil {
		return nil, err
	}
	return NewCache(New(client, log), 0), nil
}
