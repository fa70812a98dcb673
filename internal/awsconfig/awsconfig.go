// Package awsconfig is the CLI's side of AWS: the SDK's whole configuration
// chain (environment, shared files, profiles, SSO, assumed roles), which
// people at a terminal rely on and the function never needs. It builds the
// DynamoDB client the CLI reads tables with (the same one the function
// uses, internal/awsapi, with the SDK's credentials) and the SDK S3 client
// publish, history and rollback use.
package awsconfig

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/claimsmapper/claimsmapper/internal/awsapi"
)

// Load loads the SDK's configuration and requires a region.
func Load(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region is configured: set AWS_REGION")
	}
	return cfg, nil
}

// API is the configuration for internal/awsapi's clients: the SDK's
// region and credentials, and the endpoints the environment sets
// (AWS_ENDPOINT_URL_DYNAMODB, …), or the profile's endpoint_url.
func API(ctx context.Context) (awsapi.Config, error) {
	cfg, err := Load(ctx)
	if err != nil {
		return awsapi.Config{}, err
	}
	eps, err := awsapi.EndpointsFromEnv(os.LookupEnv)
	if err != nil {
		return awsapi.Config{}, err
	}
	if cfg.BaseEndpoint != nil {
		for _, svc := range []string{"dynamodb", "s3", "kms"} {
			if eps[svc] == "" {
				eps[svc] = *cfg.BaseEndpoint
			}
		}
	}
	return awsapi.Config{Region: cfg.Region, Credentials: cfg.Credentials, Endpoints: eps}, nil
}

// NewDynamoDB is the DynamoDB client for the CLI's configuration.
func NewDynamoDB(ctx context.Context) (*awsapi.DynamoDB, error) {
	cfg, err := API(ctx)
	if err != nil {
		return nil, err
	}
	return awsapi.NewDynamoDB(cfg), nil
}

// NewS3Client builds the SDK's S3 client from the standard AWS
// configuration. When AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) points it
// at a local server, it uses path-style addressing, since local servers do
// not serve bucket.host names.
func NewS3Client(ctx context.Context) (*s3.Client, error) {
	cfg, err := Load(ctx)
	if err != nil {
		return nil, err
	}
	local := os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = local
		// Local servers send no checksums; the SDK would warn on every read.
		o.DisableLogOutputChecksumValidationSkipped = true
	}), nil
}

// NewKMS is the KMS client publish signs with and history checks
// signatures with, for the CLI's configuration.
func NewKMS(ctx context.Context) (*awsapi.KMS, error) {
	cfg, err := API(ctx)
	if err != nil {
		return nil, err
	}
	return awsapi.NewKMS(cfg), nil
}
