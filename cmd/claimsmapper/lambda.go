package main

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/lambdafn"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// lambdaMode reports whether the process was started by the Lambda runtime:
// no arguments, and the runtime API to talk to.
func lambdaMode(args []string, getenv func(string) string) bool {
	return len(args) == 0 && getenv("AWS_LAMBDA_RUNTIME_API") != ""
}

// serveLambda initialises the function and serves events until the runtime
// stops it. A failed init returns exitFailed, which Lambda reports as an
// init error with the logged findings.
func serveLambda(ctx context.Context, stdout io.Writer) int {
	level, levelErr := lambdafn.ParseLevel(os.Getenv(lambdafn.EnvLogLevel))
	log := lambdafn.NewLogger(stdout, level)
	if levelErr != nil {
		log.Warn("log level ignored, using info", slog.String("error", levelErr.Error()))
	}
	h, err := newLambdaHandler(ctx, log)
	if err != nil {
		log.Error("init failed", slog.String("error", err.Error()))
		return exitFailed
	}
	lambda.StartWithOptions(h.Invoke, lambda.WithContext(ctx))
	return exitOK
}

func newLambdaHandler(ctx context.Context, log *slog.Logger) (*lambdafn.Handler, error) {
	store, err := dynamoStore(ctx, log)
	if err != nil {
		return nil, err
	}
	src, err := lambdafn.Open(ctx, os.LookupEnv, store, log)
	if err != nil {
		return nil, err
	}
	return &lambdafn.Handler{Source: src, Log: log}, nil
}

// dynamoStore is the store behind a mapping's sources outside tests: one SDK
// client for the process, with the cache for the sources that ask for one.
func dynamoStore(ctx context.Context, log *slog.Logger) (mapper.Store, error) {
	client, err := dynamo.NewClient(ctx)
	if err != nil {
		return nil, err
	}
	return dynamo.NewCache(dynamo.New(client, log), 0), nil
}
