package inlinetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
)

func TestParseWithinReadsOnlyTheMappingsFolder(t *testing.T) {
	t.Parallel()
	dir, elsewhere := t.TempDir(), t.TempDir()
	event := `{"version": "1", "triggerSource": "TokenGeneration_Authentication", "userName": "ben", "request": {"userAttributes": {}}}`
	os.WriteFile(filepath.Join(dir, "event.json"), []byte(event), 0o644)
	os.WriteFile(filepath.Join(elsewhere, "event.json"), []byte(event), 0o644)
	os.Symlink(filepath.Join(elsewhere, "event.json"), filepath.Join(dir, "link.json"))
	file := filepath.Join(dir, "mapping.yaml")
	tests := []struct {
		name, event string
		outside     bool
	}{
		{"a file beside the mapping is read", "event.json", false},
		{"an absolute path elsewhere is not", filepath.Join(elsewhere, "event.json"), true},
		{"a relative path out of the folder is not", "../" + filepath.Base(elsewhere) + "/event.json", true},
		{"a link out of the folder is not", "link.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "version: 1\ntests:\n  - name: t\n    event: " + tt.event + "\n    expect: { idToken: {} }\n"
			suite, fs := ParseWithin(file, authoring.Compile(file, []byte(src), config.Options{}), dir)
			got := len(fs) == 1 && fs[0].Rule == "tests-outside-folder" && strings.Contains(fs[0].Message, "outside the mapping's folder")
			if got != tt.outside || (tt.outside && len(suite.Cases) != 0) {
				t.Errorf("findings %v, %d tests", fs, len(suite.Cases))
			}
			// With no folder given, the mapping's own folder is the one:
			// the CLI confines a test's files exactly as the studio does.
			_, fs = Parse(file, []byte(src))
			if got := len(fs) == 1 && fs[0].Rule == "tests-outside-folder"; got != tt.outside {
				t.Errorf("Parse: findings %v", fs)
			}
		})
	}
}

func TestWithinGivesThePathInsideTheFolderOnly(t *testing.T) {
	t.Parallel()
	dir, elsewhere := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(dir, "events"), 0o755)
	os.WriteFile(filepath.Join(dir, "events", "a.json"), nil, 0o644)
	os.WriteFile(filepath.Join(elsewhere, "a.json"), nil, 0o644)
	os.Symlink(elsewhere, filepath.Join(dir, "out"))
	os.Symlink(filepath.Join(dir, "events", "a.json"), filepath.Join(elsewhere, "in.json"))
	os.Symlink(filepath.Join(elsewhere, "no-such-file"), filepath.Join(dir, "dangling"))
	tests := []struct {
		name, path, rel string
		ok              bool
	}{
		{"a file in a subfolder is inside", filepath.Join(dir, "events", "a.json"), "events/a.json", true},
		{"a file that does not exist yet is inside", filepath.Join(dir, "new.json"), "new.json", true},
		{"the parent folder is not", filepath.Join(dir, ".."), "", false},
		{"a climb out through dot-dot is not", filepath.Join(dir, "events", "..", "..", "x.json"), "", false},
		{"a sibling folder whose name starts alike is not", dir + "x/a.json", "", false},
		{"a link out of the folder is not", filepath.Join(dir, "out", "a.json"), "", false},
		{"a link from elsewhere into the folder is inside", filepath.Join(elsewhere, "in.json"), "events/a.json", true},
		{"a file not yet written, through a link out of the folder, is not", filepath.Join(dir, "out", "new.json"), "", false},
		{"a file not yet written, in a folder not yet made, through a link out, is not", filepath.Join(dir, "out", "new", "x.json"), "", false},
		{"a file not yet written, in a folder not yet made, is inside", filepath.Join(dir, "new", "x.json"), "new/x.json", true},
		{"a link that leads nowhere is not", filepath.Join(dir, "dangling"), "", false},
		{"a relative path into the folder is inside", mustRel(t, filepath.Join(dir, "events", "a.json")), "events/a.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel, ok := Within(dir, tt.path)
			if rel != tt.rel || ok != tt.ok {
				t.Errorf("Within(%q) = %q, %v; want %q, %v", tt.path, rel, ok, tt.rel, tt.ok)
			}
		})
	}
}

func mustRel(t *testing.T, p string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(wd, p)
	if err != nil {
		t.Fatal(err)
	}
	return rel
}

// A mapping comes from whoever wrote it, a pull request say; the files its
// tests name are the lint machine's. No finding may repeat what they hold.
func TestFindingsNeverQuoteATestFile(t *testing.T) {
	t.Parallel()
	const secret = "ghp_s3cr3tT0k3nXYZ"
	dir := t.TempDir()
	sub := filepath.Join(dir, "mapping")
	os.MkdirAll(sub, 0o755)
	files := map[string]string{
		"netrc":             "machine github.com login x password " + secret + "\n",
		"mapping/text.json": "machine github.com login x password " + secret + "\n",
		"mapping/ev.json":   `{"version": "` + secret + `", "x": 1}`,
		"mapping/type.json": `{"version": "1", "userName": ["` + secret + `"]}`,
		"mapping/bad.yaml":  "tables:\n  T: \"" + secret + "\n",
		"mapping/keys.yaml": "tables:\n  " + secret + ": [1]\n",
		"mapping/env.yaml":  secret + ": 1\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink(filepath.Join(dir, "netrc"), filepath.Join(sub, "link"))
	cases := []string{
		"event: ../netrc", "event: " + filepath.Join(dir, "netrc"), "event: link", "event: text.json",
		"event: ev.json", "event: type.json", "data: bad.yaml", "data: keys.yaml", "data: env.yaml",
		"data: ../netrc", "data: text.json", "data: /proc/self/environ",
	}
	for _, c := range cases {
		t.Run(c, func(t *testing.T) {
			src := "version: 1\ntests:\n  - name: t\n    " + c + "\n    expect: { idToken: {} }\n"
			_, fs := Parse(filepath.Join(sub, "mapping.yaml"), []byte(src))
			if len(fs) == 0 {
				t.Fatalf("no finding for %s", c)
			}
			for _, f := range fs {
				if strings.Contains(f.String(), secret) || strings.Contains(f.Snippet, secret) {
					t.Errorf("a finding quotes the file: %s", f)
				}
			}
		})
	}
}

// A mapping read from S3 reads its tests' files from the folder given,
// under the same confinement; a file that is not there leaves its test not
// run, while one that is there but wrong, or outside, is still a finding.
func TestParseAwaySaysWhichTestsCannotRun(t *testing.T) {
	t.Parallel()
	dir, elsewhere := t.TempDir(), t.TempDir()
	event := `{"version": "1", "triggerSource": "TokenGeneration_Authentication", "userName": "ben", "request": {"userAttributes": {}}}`
	os.WriteFile(filepath.Join(dir, "event.json"), []byte(event), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.json"), []byte("{"), 0o644)
	os.WriteFile(filepath.Join(elsewhere, "event.json"), []byte(event), 0o644)
	os.Symlink(filepath.Join(elsewhere, "event.json"), filepath.Join(dir, "link.json"))
	const file = "s3://bucket/mapping.yaml?versionId=v1"
	tests := []struct {
		name, test string
		runs       bool
		notRun     string // the file said missing
		rule       string // the finding, if any
	}{
		{"a file in the folder is read and the test runs", "event: event.json", true, "", ""},
		{"a missing event file leaves the test not run", "event: gone.json", false, "gone.json", ""},
		{"a missing data file leaves the test not run", "event: event.json\n    data: users.yaml", false, "users.yaml", ""},
		{"a file that is there but broken is a finding", "event: broken.json", false, "", "tests-event"},
		{"a relative path out of the folder is a finding, not read", "event: ../" + filepath.Base(elsewhere) + "/event.json", false, "", "tests-outside-folder"},
		{"an absolute path elsewhere is a finding, not read", "event: " + filepath.Join(elsewhere, "event.json"), false, "", "tests-outside-folder"},
		{"a missing file outside the folder is a finding too", "event: ../../etc/no-such-file", false, "", "tests-outside-folder"},
		{"a link out of the folder is a finding, not read", "event: link.json", false, "", "tests-outside-folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "version: 1\ntests:\n  - name: t\n    " + tt.test + "\n    expect: { idToken: {} }\n"
			suite, fs := ParseAway(file, authoring.Compile(file, []byte(src), config.Options{}), dir)
			if (len(suite.Cases) == 1) != tt.runs {
				t.Errorf("%d tests run, want the test run: %v", len(suite.Cases), tt.runs)
			}
			switch {
			case tt.notRun != "" && (len(suite.NotRun) != 1 || suite.NotRun[0] != NotRun{Test: "t", Pos: config.Pos{Line: 3, Column: 5}, File: tt.notRun, Dir: dir}):
				t.Errorf("not run: %+v, want %q", suite.NotRun, tt.notRun)
			case tt.notRun == "" && len(suite.NotRun) != 0:
				t.Errorf("not run: %+v, want none", suite.NotRun)
			}
			var rules []string
			for _, f := range fs {
				rules = append(rules, f.Rule)
			}
			if strings.Join(rules, ",") != tt.rule {
				t.Errorf("findings %v, want %q", fs, tt.rule)
			}
		})
	}
}
