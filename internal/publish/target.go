package publish

import (
	"context"
	"fmt"

	"github.com/claimsmapper/claimsmapper/internal/awsconfig"
)

// ParseTarget reads the s3://bucket/key that publish, history and rollback
// work on, without calling AWS: the object itself, so a ?versionId is
// refused.
func ParseTarget(uri string) (Location, error) {
	loc, err := ParseLocation(uri)
	if err != nil {
		return loc, err
	}
	if loc.VersionID != "" {
		return loc, fmt.Errorf("%q: name the object without ?versionId", uri)
	}
	return loc, nil
}

// NewClient builds the S3 client for the CLI's AWS configuration; it calls
// no AWS service yet.
func NewClient(ctx context.Context) (API, error) {
	client, err := awsconfig.NewS3Client(ctx)
	if err != nil {
		return nil, err
	}
	return client, nil
}

// Open parses the s3://bucket/key argument and builds the client for it,
// for history and rollback, which need S3 from the start.
func Open(ctx context.Context, uri string) (Location, API, error) {
	loc, err := ParseTarget(uri)
	if err != nil {
		return loc, nil, err
	}
	client, err := NewClient(ctx)
	return loc, client, PlainAWS(err, "")
}
