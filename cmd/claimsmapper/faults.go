package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
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
