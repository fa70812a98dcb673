package cli

import (
	"bytes"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
)

func TestCheckedWriterKeepsTheFirstError(t *testing.T) {
	t.Parallel()
	w := &CheckedWriter{W: failingWriter{}}
	if _, err := io.WriteString(w, "a"); err == nil {
		t.Fatal("no error")
	}
	if n, err := io.WriteString(w, "b"); n != 0 || err == nil {
		t.Errorf("a write after a failure: %d, %v", n, err)
	}
	if got := WriteFailure(&os.PathError{Op: "write", Path: "/dev/stdout", Err: w.Err}); got != "claimsmapper: could not write the output: no space left on device\n" {
		t.Errorf("WriteFailure = %q", got)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

func TestIsTerminalAndLogger(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if IsTerminal(&CheckedWriter{W: &b}) || IsTerminal(&b) {
		t.Error("a buffer is not a terminal")
	}
	log := Logger(&b)
	log.Info("hidden")
	log.Warn("shown", "rule", "claims.x")
	if got := b.String(); got != "level=WARN msg=shown rule=claims.x\n" || strings.Contains(got, "time=") {
		t.Errorf("logged %q", got)
	}
}
