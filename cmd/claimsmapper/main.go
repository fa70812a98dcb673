// Command claimsmapper puts data from DynamoDB into Amazon Cognito tokens
// following a declarative mapping file. It is a CLI for people who write and
// test mappings, and, run with no arguments inside AWS Lambda, the Pre Token
// Generation trigger itself (package internal/lambda). This package only
// parses flags and dispatches.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/claimsmapper/claimsmapper/internal/lambda"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var code int
	if lambdaMode(os.Args[1:], os.Getenv) {
		if lambda.Serve(ctx, os.LookupEnv, os.Stdout) != nil {
			code = exitFailed // Lambda reports an init error with the logged findings
		}
	} else {
		code = run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	}
	stop()
	os.Exit(code)
}

// lambdaMode reports whether the process was started by the Lambda runtime:
// no arguments, and the runtime API to talk to.
func lambdaMode(args []string, getenv func(string) string) bool {
	return len(args) == 0 && getenv("AWS_LAMBDA_RUNTIME_API") != ""
}
