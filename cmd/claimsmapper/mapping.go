package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/awsapi"
	"github.com/claimsmapper/claimsmapper/internal/awsconfig"
	"github.com/claimsmapper/claimsmapper/internal/gitrev"
	"github.com/claimsmapper/claimsmapper/internal/publish"
)

// readMappingRef reads a mapping from a file, standard input ("-"),
// s3://bucket/key[?versionId=V], or a git revision: git:REV is the file
// beside (the other mapping) at REV, and REV:PATH or git:REV:PATH a path
// at REV (see package gitrev).
func readMappingRef(ctx context.Context, ref, beside string, stdin io.Reader) ([]byte, error) {
	if r, ok := gitrev.Parse(ref, fileExists); ok && ref != "-" {
		return gitrev.Read(ctx, r, beside)
	}
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
	client, err := publish.NewClient(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, publish.PlainAWS(err, ""))
	}
	obj, err := publish.Get(ctx, client, loc)
	if err != nil {
		return nil, publish.PlainAWS(err, "")
	}
	if !obj.Exists {
		return nil, fmt.Errorf("%s does not exist", ref)
	}
	return obj.Text, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func newDynamoClient(ctx context.Context) (*awsapi.DynamoDB, error) {
	client, err := awsconfig.NewDynamoDB(ctx)
	if err != nil {
		return nil, fmt.Errorf("DynamoDB: %w", err)
	}
	return client, nil
}
