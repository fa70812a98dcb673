package gitrev_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/gitrev"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// repo makes a git repository with sub/mapping.yaml committed as "old",
// then changed to "new" in the working tree.
func repo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	run := testenv.Git(t, dir)
	run("init", "-q")
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "mapping.yaml"), []byte("old\n"), 0o644)
	run("add", ".")
	run("commit", "-q", "-m", "first")
	os.WriteFile(filepath.Join(dir, "sub", "mapping.yaml"), []byte("new\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "sub", "untracked.yaml"), []byte("u\n"), 0o644)
	return dir
}

func TestParse(t *testing.T) {
	t.Parallel()
	exists := func(p string) bool { return p == "odd:name.yaml" }
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"git:HEAD", "git:HEAD", true},
		{"git:HEAD~1:sub/m.yaml", "git:HEAD~1:sub/m.yaml", true},
		{"HEAD:testdata/seed/mapping.yaml", "HEAD:testdata/seed/mapping.yaml", true},
		{"origin/main:mapping.yaml", "origin/main:mapping.yaml", true},
		{"mapping.yaml", "", false},
		{"odd:name.yaml", "", false}, // a file of that name is the file
		{"s3://bucket/key", "", false},
		{`C:\maps\m.yaml`, "", false},
		{"-", "", false},
	} {
		r, ok := gitrev.Parse(tc.in, exists)
		if ok != tc.ok || ok && r.String() != tc.want {
			t.Errorf("Parse(%q) = %v, %v; want %q, %v", tc.in, r, ok, tc.want, tc.ok)
		}
	}
}

func TestRead(t *testing.T) {
	dir := repo(t)
	mapping := filepath.Join(dir, "sub", "mapping.yaml")
	ctx := context.Background()
	read := func(ref, beside string) (string, error) {
		r, ok := gitrev.Parse(ref, func(string) bool { return false })
		if !ok {
			t.Fatalf("%q is not a git ref", ref)
		}
		b, err := gitrev.Read(ctx, r, beside)
		return string(b), err
	}
	if got, err := read("git:HEAD", mapping); err != nil || got != "old\n" {
		t.Errorf("git:HEAD beside the file: %q, %v", got, err)
	}
	// REV:PATH is relative to the repository's top, as git show takes it.
	t.Chdir(filepath.Join(dir, "sub"))
	if got, err := read("HEAD:sub/mapping.yaml", "mapping.yaml"); err != nil || got != "old\n" {
		t.Errorf("HEAD:sub/mapping.yaml: %q, %v", got, err)
	}
	if got, err := read("git:HEAD:mapping.yaml", "other.yaml"); err != nil || got != "old\n" {
		t.Errorf("git:HEAD:mapping.yaml: %q, %v", got, err)
	}
	for _, tc := range []struct{ ref, beside, want string }{
		{"git:HEAD", "untracked.yaml", "not in that revision (is it committed?)"},
		{"git:nosuchbranch", "mapping.yaml", "git has no revision of that name"},
		{"git:--output=/tmp/x", "mapping.yaml", "is not a revision"},
		{"git:", "mapping.yaml", "name a revision"},
		{"git:HEAD", "-", "name the file too"},
	} {
		if _, err := read(tc.ref, tc.beside); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s beside %s: %v, want %q", tc.ref, tc.beside, err, tc.want)
		}
	}
	// A revision may hold a file of any size: no more than a mapping may
	// be is read.
	big := filepath.Join(dir, "sub", "big.yaml")
	os.WriteFile(big, make([]byte, 2<<20), 0o644)
	commit := exec.Command("git", "-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "big", "--", "sub/big.yaml")
	if out, err := exec.Command("git", "-C", dir, "add", "sub/big.yaml").CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if out, err := commit.CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	if _, err := read("git:HEAD", "big.yaml"); err == nil || !strings.Contains(err.Error(), "larger than the") {
		t.Errorf("a 2 MiB file: %v", err)
	}
	outside := t.TempDir()
	if _, err := read("git:HEAD", filepath.Join(outside, "m.yaml")); err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("outside a repository: %v", err)
	}
}
