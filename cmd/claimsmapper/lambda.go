package main

import (
	"context"
	"io"
	"log/slog"
	"os"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/lambda"
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
	level, levelErr := lambda.ParseLevel(os.Getenv(lambda.EnvLogLevel))
	log := lambda.NewLogger(stdout, level)
	if levelErr != nil {
		log.Warn("log level ignored, using info", slog.String("error", levelErr.Error()))
	}
	h, err := newLambdaHandler(ctx, log)
	if err != nil {
		log.Error("init failed", slog.String("error", err.Error()))
		return exitFailed
	}
	awslambda.StartWithOptions(h.Invoke, awslambda.WithContext(ctx))
	return exitOK
}

func newLambdaHandler(ctx context.Context, log *slog.Logger) (*lambda.Handler, error) {
	store, err := dynamoStore(ctx, log)
	if err != nil {
		return nil, err
	}
	src, err := lambda.Open(ctx, os.LookupEnv, store, log)
	if err != nil {
		return nil, err
	}
	return &lambda.Handler{Source: src, Log: log}, nil
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
