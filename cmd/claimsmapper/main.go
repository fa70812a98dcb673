package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/lambda"
	"github.com/claimsmapper/claimsmapper/mapper"
)

func main() {
	if lambdaMode(os.Args[1:], os.Getenv) {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := cli.ExitOK
		if lambda.Serve(ctx, os.LookupEnv, os.Stdout) != nil {
			code = cli.ExitFailed // Lambda reports an init error with the logged findings
		}
		stop()
		os.Exit(code)
	}
	os.Exit(runProcess(os.Args[1:], os.Stdin))
}

// runProcess runs a command as its own process: signals stop it, and a closed
// pipe is a failed write (exit 1, with a message), not a silent death by
// SIGPIPE.
func runProcess(args []string, stdin io.Reader) int {
	signal.Ignore(syscall.SIGPIPE)
	ctx, signalled, stop := cli.OnSignal(context.Background(), os.Stderr)
	defer stop()
	// An evaluation the cost model fails to stop stops the command.
	ctx = mapper.WithBackstop(ctx, lambda.CommandBackstop(os.LookupEnv, func(msg string) {
		fmt.Fprintln(os.Stderr, msg)
		os.Exit(cli.ExitFailed)
	}))
	code := run(ctx, args, stdin, os.Stdout, os.Stderr)
	if s := signalled(); s != 0 {
		// Stopped: whatever the command made of its cancelled context, it
		// did not finish, and must not exit 0.
		code = s
	}
	return code
}

// lambdaMode reports whether the process was started by the Lambda runtime:
// no arguments, and the runtime API to talk to.
func lambdaMode(args []string, getenv func(string) string) bool {
	return len(args) == 0 && getenv("AWS_LAMBDA_RUNTIME_API") != ""
}
