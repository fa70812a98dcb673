// Command claimsmapper puts data from DynamoDB into Amazon Cognito tokens
// following a declarative mapping file. It is a CLI for people who write and
// test mappings, and, run with no arguments inside AWS Lambda, the Pre Token
// Generation trigger itself.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var code int
	if lambdaMode(os.Args[1:], os.Getenv) {
		code = serveLambda(ctx, os.Stdout)
	} else {
		code = run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	}
	stop()
	os.Exit(code)
}
