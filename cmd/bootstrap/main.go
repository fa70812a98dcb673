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
	code := 0
	if lambda.Serve(ctx, os.LookupEnv, os.Stdout) != nil {
		code = 1 // Lambda reports an init error with the logged findings
	}
	stop()
	os.Exit(code)
}
