package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// Exit codes of a command stopped by a signal: 128 plus the signal's
// number, as shells report a process the signal killed.
const (
	ExitInterrupted = 130 // SIGINT
	ExitTerminated  = 143 // SIGTERM
)

// stopGrace is how long a command has to stop once told to: long enough
// to finish a write, short enough that Ctrl-C feels immediate. A command
// blocked where the context does not reach (reading a terminal) is ended
// when it runs out.
const stopGrace = time.Second

// OnSignal returns a context that SIGINT or SIGTERM cancels, and a
// function that gives the exit code the signal calls for (0 while none came).
// A command that has not returned stopGrace after the signal, or a second
// signal, ends the process with that code: a Unix tool stops when told to,
// whatever it was doing.
func OnSignal(parent context.Context, stderr io.Writer) (ctx context.Context, code func() int, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	var got atomic.Int32
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			c := ExitInterrupted
			if s == syscall.SIGTERM {
				c = ExitTerminated
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

// CheckedWriter remembers the first error writing to W and refuses every
// write after it: a command's output is either whole or reported as failed.
type CheckedWriter struct {
	W   io.Writer
	Err error
}

func (c *CheckedWriter) Write(p []byte) (int, error) {
	if c.Err != nil {
		return 0, c.Err
	}
	n, err := c.W.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	c.Err = err
	return n, err
}

// WriteFailure says why writing the output failed, without the Go path
// (write /dev/stdout: ...): "no space left on device", "broken pipe".
func WriteFailure(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("claimsmapper: could not write the output: %v\n", err)
}

// IsTerminal reports whether w (or the writer a CheckedWriter writes to)
// is a terminal that wants colour.
func IsTerminal(w io.Writer) bool {
	if c, ok := w.(*CheckedWriter); ok {
		w = c.W
	}
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Logger writes the mapper's warnings to stderr as plain lines.
func Logger(stderr io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey && len(groups) == 0 {
				return slog.Attr{}
			}
			return a
		},
	}))
}
