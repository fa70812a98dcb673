package publish

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// callerARN asks STS who the AWS credentials belong to, for the author of a
// publish. ok is false, with no request made, when S3 is a local server
// (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL set) and STS is not pointed
// anywhere (AWS_ENDPOINT_URL_STS unset): there is no STS to ask.
func callerARN(ctx context.Context) (arn string, ok bool, err error) {
	local := os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	if local && os.Getenv("AWS_ENDPOINT_URL_STS") == "" && os.Getenv("AWS_ENDPOINT_URL") == "" {
		return "", false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return "", false, fmt.Errorf("load AWS configuration: %w", err)
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", false, fmt.Errorf("ask STS who you are: %w", err)
	}
	if out.Arn == nil || *out.Arn == "" {
		return "", false, fmt.Errorf("STS did not say who you are")
	}
	return *out.Arn, true, nil
}

// Author is who a publish is recorded as: the caller's AWS identity, or
// fallback (--author) when AWS cannot say (a local S3 server, no STS
// access).
func Author(ctx context.Context, fallback string) (string, error) {
	arn, ok, err := callerARN(ctx)
	switch {
	case ok:
		return arn, nil
	case fallback != "":
		return fallback, nil
	case err != nil:
		return "", fmt.Errorf("cannot tell who is publishing (%v): pass --author NAME", err)
	}
	return "", fmt.Errorf("cannot tell who is publishing: S3 is a local server and there is no STS to ask; pass --author NAME")
}
