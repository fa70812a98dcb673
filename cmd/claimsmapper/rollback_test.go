package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyInto writes each file to dir, under its base name.
func copyInto(t *testing.T, dir string, files ...string) {
	t.Helper()
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), []byte(mustRead(t, f)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A rollback goes back to a version read from S3, whose inline tests name
// files that were never published with it: they are read from the folder
// the rollback runs in, never from outside it, and a test whose file is not
// there is said not run rather than refusing the rollback.
func TestRollbackReadsTheTestFilesFromTheCurrentFolder(t *testing.T) {
	s := startPublishS3(t)
	seed := mustRead(t, seedMapping)
	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(other, []byte("version: 1\nclaims:\n  plan: '\"free\"'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "ana", seedMapping, uri)
	if code != 0 || !strings.Contains(out, "tests: ") || !strings.Contains(out, "2 passed") {
		t.Fatalf("publishing the seed mapping: exit %d\n%s%s", code, out, errOut)
	}
	seedVersion := history(t)[0].VersionID
	// rollbackFrom publishes another mapping over the seed one, then rolls
	// back to the seed version from dir.
	rollbackFrom := func(t *testing.T, dir string) (int, string, string) {
		t.Helper()
		if code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "ana", other, uri); code != 0 {
			t.Fatalf("publishing over the seed mapping: exit %d\n%s%s", code, out, errOut)
		}
		t.Chdir(dir)
		return execCLI(t, "", "rollback", "--yes", "--author", "cy", "--to", seedVersion, uri)
	}

	t.Run("without the files, the tests are said not run and the rollback goes on", func(t *testing.T) {
		code, out, errOut := rollbackFrom(t, t.TempDir())
		want := `tests: "ben gets his first and last name" (line 15) not run: its file "event.json" is not in the current folder; to run it, run claimsmapper rollback from the folder that holds the mapping's test files`
		if code != 0 || !strings.Contains(out, want) || strings.Contains(out, "tests: none") || inForce(t, s) != seed {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant %q", code, out, errOut, want)
		}
	})
	t.Run("with the files in the current folder, the tests run and pass", func(t *testing.T) {
		abs, err := filepath.Abs(filepath.Dir(seedMapping))
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := rollbackFrom(t, abs)
		if code != 0 || !strings.Contains(out, "2 passed") || strings.Contains(out, "not run") || inForce(t, s) != seed {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
	})
	t.Run("a test that runs and fails still refuses the rollback", func(t *testing.T) {
		dir := t.TempDir()
		copyInto(t, dir, seedEvent)
		users := strings.Replace(mustRead(t, seedData), "Ben", "Bob", 1)
		if err := os.WriteFile(filepath.Join(dir, "users.yaml"), []byte(users), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := rollbackFrom(t, dir)
		if code != 1 || !strings.Contains(errOut, "refused: 1 inline test(s)") || !strings.Contains(out, "FAIL  ben gets his first and last name") || inForce(t, s) == seed {
			t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
	})
	t.Run("a file outside the current folder is never read", func(t *testing.T) {
		root := t.TempDir()
		here := filepath.Join(root, "here")
		if err := os.Mkdir(here, 0o755); err != nil {
			t.Fatal(err)
		}
		// Were the file read, the test would pass and the rollback go on.
		copyInto(t, root, seedEvent, seedData)
		for _, path := range []string{"../event.json", filepath.Join(root, "event.json")} {
			hostile := strings.Replace(seed, "event: event.json\n    data: users.yaml", "event: "+path+"\n    data: users.yaml", 1)
			if hostile == seed {
				t.Fatal("the seed mapping changed: update the test")
			}
			version := s.Put(t, bucket, key, hostile)
			if code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "ana", other, uri); code != 0 {
				t.Fatalf("publishing over the hostile version: exit %d\n%s%s", code, out, errOut)
			}
			t.Chdir(here)
			code, out, errOut := execCLI(t, "", "rollback", "--yes", "--author", "cy", "--to", version, uri)
			if code != 1 || !strings.Contains(out, "is outside the current folder") || !strings.Contains(errOut, "refused: lint found") || inForce(t, s) == hostile {
				t.Errorf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", path, code, out, errOut)
			}
		}
	})
}
