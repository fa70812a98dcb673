package gitrev

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
)

// Prefix marks a reference as a git revision: git:REV is the file beside
// it (the new mapping) at REV; git:REV:PATH is PATH at REV.
const Prefix = "git:"

// Ref is a mapping at a git revision.
type Ref struct {
	// Rev is the revision (HEAD, main, a commit, HEAD~1, origin/main).
	Rev string
	// Path is the file, relative to Dir; "" is the file the ref stands
	// beside.
	Path string
	// RootRelative is set for REV:PATH as git show writes it, where PATH
	// is relative to the repository's top folder.
	RootRelative bool
}

// String writes the ref as a person would type it.
func (r Ref) String() string {
	if r.RootRelative {
		return r.Rev + ":" + r.Path
	}
	if r.Path == "" {
		return Prefix + r.Rev
	}
	return Prefix + r.Rev + ":" + r.Path
}

// Parse tells whether ref names a git revision: git:REV, git:REV:PATH, or
// REV:PATH when no file is named ref (exists says whether one is).
func Parse(ref string, exists func(string) bool) (Ref, bool) {
	if rest, ok := strings.CutPrefix(ref, Prefix); ok {
		rev, path, _ := strings.Cut(rest, ":")
		return Ref{Rev: rev, Path: path}, true
	}
	if strings.Contains(ref, "://") || exists(ref) {
		return Ref{}, false
	}
	rev, path, ok := strings.Cut(ref, ":")
	// A Windows path (C:\x) has a one-letter "revision".
	if !ok || len(rev) < 2 || path == "" || strings.ContainsAny(rev, " \t\\") {
		return Ref{}, false
	}
	return Ref{Rev: rev, Path: path, RootRelative: true}, true
}

// Timeout bounds one git command: a repository on a stalled network disk
// should not hang the CLI.
const Timeout = 30 * time.Second

// Read returns the file the ref names as the revision holds it. beside is
// the new mapping's path, which git:REV stands for; relative paths are
// taken from the folder of beside, or the current folder.
func Read(ctx context.Context, r Ref, beside string) ([]byte, error) {
	if r.Rev == "" {
		return nil, fmt.Errorf("%s: name a revision, e.g. git:HEAD", r)
	}
	if strings.HasPrefix(r.Rev, "-") {
		return nil, fmt.Errorf("%s: %q is not a revision", r, r.Rev)
	}
	dir, path := ".", r.Path
	switch {
	case r.RootRelative:
	case path == "" && (beside == "" || beside == "-"):
		return nil, fmt.Errorf("%s: name the file too, as git:%s:PATH, since the new mapping is not a file", r, r.Rev)
	case path == "":
		dir, path = filepath.Dir(beside), "./"+filepath.Base(beside)
	default:
		path = "./" + filepath.ToSlash(filepath.Clean(path))
	}
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("%s: reading a git revision needs the git program, which is not installed", r)
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "show", "--no-textconv", r.Rev+":"+path)
	// git's own messages, in English whatever the locale, for the words below.
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_TERMINAL_PROMPT=0")
	// A revision can hold any file: read no more than a mapping may be.
	out, errOut := &capped{max: config.MaxSize}, &capped{max: 64 << 10, quiet: true}
	cmd.Stdout, cmd.Stderr = out, errOut
	err := cmd.Run()
	if out.over {
		return nil, fmt.Errorf("%s: the file is larger than the %d bytes a mapping may be", r, config.MaxSize)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %s", r, plain(errOut.buf.String(), err))
	}
	return out.buf.Bytes(), nil
}

// capped keeps at most max bytes. Past that it fails the write, which ends
// git's output, unless quiet, when it drops the rest.
type capped struct {
	buf   bytes.Buffer
	max   int
	over  bool
	quiet bool
}

func (c *capped) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.max {
		c.over = true
		if !c.quiet {
			return 0, errors.New("too large")
		}
		c.buf.Write(p[:max(0, c.max-c.buf.Len())])
		return len(p), nil
	}
	return c.buf.Write(p)
}

// plain says in words why git could not show the file.
func plain(stderr string, err error) string {
	msg := strings.TrimSpace(stderr)
	first, _, _ := strings.Cut(msg, "\n")
	first = strings.TrimPrefix(strings.TrimPrefix(first, "fatal: "), "error: ")
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "git took too long to answer"
	case strings.Contains(msg, "not a git repository"):
		return "the file is not in a git repository"
	case strings.Contains(msg, "exists on disk, but not in"), strings.Contains(msg, "does not exist in"):
		return "the file is not in that revision (is it committed?): " + first
	case strings.Contains(msg, "invalid object name"), strings.Contains(msg, "unknown revision"), strings.Contains(msg, "bad revision"):
		return "git has no revision of that name: " + first
	case first != "":
		return first
	}
	return err.Error()
}
