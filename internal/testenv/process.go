package testenv

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a server the harness started. Its output is kept for
// diagnostics and for tests that read the function's logs.
type process struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

// startProcess starts cmd and waits until a line of its output contains
// ready (or, with ready "", until readyFn reports true), the process exits,
// or timeout passes.
func startProcess(cmd *exec.Cmd, ready string, timeout time.Duration, readyFn ...func() bool) (*process, error) {
	out := &syncBuffer{}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	// Its own process group, so stopping it also stops its children (the
	// emulator's bootstrap).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, out: out, done: make(chan struct{})}
	seen := make(chan struct{})
	go func() {
		var once sync.Once
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			out.WriteLine(sc.Text())
			if ready != "" && strings.Contains(sc.Text(), ready) {
				once.Do(func() { close(seen) })
			}
		}
		io.Copy(io.Discard, pr)
	}()
	go func() {
		cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	if len(readyFn) > 0 {
		go func() {
			for {
				select {
				case <-p.done:
					return
				// Poll often: the cold start benchmark times this wait.
				case <-time.After(2 * time.Millisecond):
				}
				if readyFn[0]() {
					close(seen)
					return
				}
			}
		}()
	}
	select {
	case <-seen:
		return p, nil
	case <-p.done:
		return nil, fmt.Errorf("%s exited before it was ready:\n%s", cmd.Path, out.String())
	case <-time.After(timeout):
		p.stop()
		return nil, fmt.Errorf("%s not ready after %v:\n%s", cmd.Path, timeout, out.String())
	}
}

// stop ends the process group this harness started: SIGTERM, then SIGKILL.
func (p *process) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	pgid := p.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.done
	}
}

// syncBuffer collects output lines safely across goroutines.
type syncBuffer struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	grew chan struct{} // closed at the next line; nil until a waiter asks
}

func (b *syncBuffer) WriteLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
	b.buf.WriteByte('\n')
	if b.grew != nil {
		close(b.grew)
		b.grew = nil
	}
}

// next returns the output so far and a channel closed when the next line
// arrives, so a waiter wakes on output instead of polling.
func (b *syncBuffer) next() (string, <-chan struct{}) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.grew == nil {
		b.grew = make(chan struct{})
	}
	return b.buf.String(), b.grew
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitContext is a context bounded by d, for start-up calls.
func waitContext(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
