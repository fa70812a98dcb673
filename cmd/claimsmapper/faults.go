package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/lambda"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Exit codes of a command stopped by a signal: 128 plus the signal's
// number, as shells report a process the signal killed.
const (
	exitInterrupted = 130 // SIGINT
	exitTerminated  = 143 // SIGTERM
)

// stopGrace is how long a command has to stop once told to: long enough
// to finish a write, short enough that Ctrl-C feels immediate. A command
// blocked where the context does not reach (reading a terminal) is ended
// when it runs out.
const stopGrace = time.Second

// onSignal returns a context that SIGINT or SIGTERM cancels, and a
// function that gives the exit code the signal calls for (0 while none came).
// A command that has not returned stopGrace after the signal, or a second
// signal, ends the process with that code: a Unix tool stops when told to,
// whatever it was doing.
func onSignal(parent context.Context, stderr io.Writer) (ctx context.Context, code func() int, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	var got atomic.Int32
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			c := exitInterrupted
			if s == syscall.SIGTERM {
				c = exitTerminated
			}
			got.Store(int32(c))
			cancel()
			select {
			case <-sigs:
			case <-time.After(stopGrace):
				fmt.Fprintln(stderr, "claimsmapper: stopped")
			case <-done:
				return
			}
			os.Exit(c)
		case <-done:
		}
	}()
	return ctx, func() int { return int(got.Load()) }, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

// checkedWriter remembers the first error writing to w and refuses every
// write after it: a command's output is either whole or reported as failed.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
	return n, err
}

// writeFailure says why writing the output failed, without the Go path
// (write /dev/stdout: ...): "no space left on device", "broken pipe".
func writeFailure(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("claimsmapper: could not write the output: %v\n", err)
}

// cliHeapCeiling is the backstop's heap ceiling for a command when neither
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE nor GOMEMLIMIT says how much memory there
// is: far above what any sign-in's evaluation takes, far below what
// exhausts a laptop.
const cliHeapCeiling = 1 << 30

// backstop is the commands' backstop: an evaluation still running past its
// deadline (the mapping's timeout) by lambda.BackstopGrace, or growing the
// heap past its ceiling, ends the command at once with exit 1 and a plain
// message, as the function would answer without it. The ceiling is the
// function's for AWS_LAMBDA_FUNCTION_MEMORY_SIZE (and the Go memory limit
// matches it, unless GOMEMLIMIT is set), five sevenths of GOMEMLIMIT as in
// the function, or cliHeapCeiling.
func backstop(lookupEnv func(string) (string, bool), stderr io.Writer, exit func(int)) *mapper.Backstop {
	ceiling := uint64(cliHeapCeiling)
	_, goLimit := lookupEnv("GOMEMLIMIT")
	if _, ok := lookupEnv(lambda.EnvMemorySize); ok {
		var limit uint64
		limit, ceiling = lambda.Memory(lookupEnv)
		if !goLimit {
			debug.SetMemoryLimit(int64(limit))
		}
	} else if l := debug.SetMemoryLimit(-1); goLimit && l > 0 && l < math.MaxInt64 {
		ceiling = uint64(l) / 7 * 5
	}
	return &mapper.Backstop{Grace: lambda.BackstopGrace, Heap: ceiling, Tripped: func(_ context.Context, s mapper.Stop) {
		fmt.Fprintln(stderr, stopMessage(s, ceiling))
		exit(exitFailed)
	}}
}

// stopMessage says what the backstop stopped, in words: the limit, the rule
// that was running and what to do. It quotes no value.
func stopMessage(s mapper.Stop, ceiling uint64) string {
	what := "ran past its time (the mapping's timeout)"
	if s.Limit == "memory" {
		what = fmt.Sprintf("took more than %d MiB of memory", ceiling>>20)
	}
	return fmt.Sprintf("claimsmapper: stopped: the evaluation %s while %s was running, and the limits that should have stopped it did not; "+
		"the function would answer without it and restart, so make that rule do less (see Limits in docs/mapping.md)", what, s.Rule)
}
