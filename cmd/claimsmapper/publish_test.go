package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

const (
	bucket = "mappings"
	key    = "prod/mapping.yaml"
	uri    = "s3://" + bucket + "/" + key
)

// startPublishS3 starts a versioned S3 server and points the CLI's SDK at it.
func startPublishS3(t *testing.T) *testenv.VersionedS3 {
	t.Helper()
	testenv.Integration(t)
	s := testenv.StartVersionedS3(t)
	for k, v := range testenv.AWSEnv("") {
		t.Setenv(k, v)
	}
	for k, v := range s.Env() {
		t.Setenv(k, v)
	}
	os.Unsetenv("AWS_ENDPOINT_URL_STS")
	os.Unsetenv("AWS_ENDPOINT_URL")
	s.CreateBucket(t, bucket, true)
	return s
}

// inForce reads the object the function would load now.
func inForce(t *testing.T, s *testenv.VersionedS3) string {
	t.Helper()
	out, err := s.Client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// history runs history --format json.
func history(t *testing.T) []publish.Entry {
	t.Helper()
	code, out, errOut := execCLI(t, "", "history", "--format", "json", uri)
	if code != 0 {
		t.Fatalf("history: exit %d: %s", code, errOut)
	}
	var h []publish.Entry
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestPublishHistoryRollback(t *testing.T) {
	s := startPublishS3(t)
	old, new := diffDir+"old.yaml", diffDir+"new.yaml"
	users := []string{"--users", diffDir + "users.txt", "--data", diffDir + "data.yaml"}

	code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "ana", "--message", "first: ünïcode ok\n\n"+strings.Repeat("é", 600), old, uri)
	if code != 0 || !strings.Contains(out, "holds no mapping yet") || !strings.Contains(out, "published "+uri) {
		t.Fatalf("first publish: exit %d\n%s%s", code, out, errOut)
	}

	code, out, errOut = execCLI(t, "", append([]string{"diff", uri, new}, users...)...)
	if code != 1 || !strings.Contains(out, "5 users examined, 5 changed.") {
		t.Errorf("diff against the mapping in force: exit %d\n%s%s", code, out, errOut)
	}

	code, out, _ = execCLI(t, "", "publish", "--yes", "--author", "ana", old, uri)
	if code != 0 || !strings.Contains(out, "already holds this mapping") {
		t.Errorf("publishing the same text again: exit %d\n%s", code, out)
	}

	code, out, errOut = execCLI(t, "", append([]string{"publish", "--author", "ben", new, uri}, users...)...)
	if code != 1 || !strings.Contains(errOut, "not confirmed: no terminal") {
		t.Errorf("publish without --yes and no terminal: exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(out, "user 3\n  ! starts failing") || !strings.Contains(out, "+   28    tenant:") {
		t.Errorf("the gate should show the token diff and the lines:\n%s", out)
	}
	if inForce(t, s) != mustRead(t, old) {
		t.Fatal("an unconfirmed publish wrote the object")
	}

	code, out, errOut = execCLI(t, "", append([]string{"publish", "--yes", "--author", "ben", "--message", "tenant claim", new, uri}, users...)...)
	if code != 0 {
		t.Fatalf("second publish: exit %d\n%s%s", code, out, errOut)
	}
	if inForce(t, s) != mustRead(t, new) {
		t.Fatal("the new mapping is not in force")
	}

	h := history(t)
	if len(h) != 2 || !h[0].InForce || h[0].Author != "ben" || h[0].Message != "tenant claim" || !strings.HasPrefix(h[1].Message, "first: ünïcode ok\n\néé") || !strings.HasSuffix(h[1].Message, "é…") {
		t.Fatalf("history: %+v", h)
	}
	if *h[0].Claims != 6 || *h[1].Claims != 5 || h[0].Claimsmapper != version || h[0].RecordedSHA256 != "" {
		t.Errorf("history claims, version or digest: %+v", h)
	}
	code, out, _ = execCLI(t, "", "history", uri)
	if code != 0 || !strings.Contains(out, "* ") || !strings.Contains(out, "tenant claim") || !strings.Contains(out, "ana") {
		t.Errorf("history text: exit %d\n%s", code, out)
	}

	code, out, errOut = execCLI(t, "", append([]string{"rollback", "--yes", "--author", "cy", "--message", "tenant breaks carol", uri}, users...)...)
	if code != 0 || !strings.Contains(out, "rolling back "+uri+" to version "+h[1].VersionID) || !strings.Contains(out, "user 3\n  + stops failing") {
		t.Fatalf("rollback: exit %d\n%s%s", code, out, errOut)
	}
	if inForce(t, s) != mustRead(t, old) {
		t.Fatal("the rollback did not put the old mapping back")
	}
	h = history(t)
	if len(h) != 3 || h[0].Message != "rollback to version "+h[2].VersionID+": tenant breaks carol" || h[0].Author != "cy" || h[0].SHA256 != h[2].SHA256 {
		t.Errorf("history after the rollback: %+v", h)
	}

	code, out, errOut = execCLI(t, "", "rollback", "--yes", "--author", "cy", "--to", h[1].VersionID, uri)
	if code != 0 || inForce(t, s) != mustRead(t, new) {
		t.Errorf("rollback --to the second version: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = execCLI(t, "", "rollback", "--yes", "--to", "no-such-version", uri)
	if code != 2 || !strings.Contains(errOut, `has no version "no-such-version"`) {
		t.Errorf("rollback to a missing version: exit %d, %s", code, errOut)
	}
	// The version in force is nothing to do: exit 0, said, nothing written.
	h = history(t)
	code, _, errOut = execCLI(t, "", "rollback", "--yes", "--author", "cy", "--to", h[0].VersionID, uri)
	if code != 0 || errOut != "claimsmapper rollback: version \""+h[0].VersionID+"\" is already in force\n" || len(history(t)) != len(h) {
		t.Errorf("rollback to the version in force: exit %d, %q", code, errOut)
	}
}

func TestPublishRefusals(t *testing.T) {
	s := startPublishS3(t)
	first := mustRead(t, diffDir+"old.yaml")
	s.Put(t, bucket, key, first)
	badDir := t.TempDir()
	write := func(name, text string) string {
		p := badDir + "/" + name
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lintError := write("lint.yaml", "version: 1\nclaims:\n  name: usr.FirstName\n")
	warning := write("warn.yaml", "version: 1\nsources:\n  user: { table: Users, key: { userName: event.userName } }\nclaims:\n  a: '\"x\"'\n")
	failingTest := write("tests.yaml", `version: 1
claims:
  plan: '"free"'
tests:
  - name: everyone is on the pro plan
    event: { version: "2", userName: ben }
    expect:
      idToken: { plan: pro }
`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"a mapping with a lint error", []string{"publish", "--yes", "--author", "a", lintError, uri}, 1, `unknown name "usr"`, "refused: lint found 1 errors"},
		{"a warning under --strict", []string{"publish", "--yes", "--strict", "--author", "a", warning, uri}, 1, "source-unused", "refused: lint found 1 errors or warnings (--strict)"},
		{"a failing inline test", []string{"publish", "--yes", "--author", "a", failingTest, uri}, 1, "FAIL  everyone is on the pro plan", "refused: 1 inline test(s)"},
		{"no author where AWS cannot say who", []string{"publish", "--yes", diffDir + "new.yaml", uri}, 2, "", "pass --author NAME"},
		{"a key that is not s3://", []string{"publish", "--yes", diffDir + "new.yaml", "/tmp/mapping.yaml"}, 2, "", "want s3://bucket/key"},
		{"an author that is too long", []string{"publish", "--yes", "--author", strings.Repeat("x", 257), diffDir + "new.yaml", uri}, 2, "", "--author should be text of at most 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := execCLI(t, "", tt.args...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s\nwant %q and %q", code, tt.code, out, errOut, tt.stdout, tt.stderr)
			}
			if inForce(t, s) != first {
				t.Error("a refused publish changed the object")
			}
		})
	}

	t.Run("a bucket without versioning", func(t *testing.T) {
		s.CreateBucket(t, "plain", false)
		code, _, errOut := execCLI(t, "", "publish", "--yes", "--author", "a", diffDir+"new.yaml", "s3://plain/m.yaml")
		if code != 2 || !strings.Contains(errOut, "does not keep versions") {
			t.Errorf("exit %d, stderr %s", code, errOut)
		}
	})

	t.Run("a mapping in force that no longer loads can be replaced", func(t *testing.T) {
		s.Put(t, bucket, key, "version: 1\ntriggerVersion: V2_0\nclaims:\n  a: nope(\n")
		code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "a", "--users", diffDir+"users.txt", "--data", diffDir+"data.yaml", diffDir+"old.yaml", uri)
		if code != 0 || !strings.Contains(out, "does not load with this claimsmapper") {
			t.Errorf("exit %d\n%s%s", code, out, errOut)
		}
	})

	t.Run("a changed triggerVersion is refused until the pool is redeployed", func(t *testing.T) {
		s.Put(t, bucket, key, first) // V2_0
		v1 := write("v1.yaml", strings.Replace(first, "triggerVersion: V2_0", "triggerVersion: V1_0", 1))
		unset := write("unset.yaml", strings.Replace(first, "triggerVersion: V2_0\n", "", 1))
		for _, tt := range []struct{ file, want string }{
			{v1, "refused: this mapping changes triggerVersion from V2_0 to V1_0, but the user pool's trigger version is set when the pool is deployed, not by the mapping: the pool must be redeployed with V1_0 first (the CDK construct takes it from the mapping), then publish again with --allow-version-change"},
			{unset, "changes triggerVersion from V2_0 to (not set)"},
		} {
			code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "a", tt.file, uri)
			if code != 1 || !strings.Contains(errOut, tt.want) || inForce(t, s) != first {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant %q, and the object unchanged", code, out, errOut, tt.want)
			}
		}
		code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "a", "--allow-version-change", v1, uri)
		if code != 0 || !strings.Contains(out, "triggerVersion changes from V2_0 to V1_0 (--allow-version-change)") || !strings.Contains(inForce(t, s), "triggerVersion: V1_0") {
			t.Errorf("with --allow-version-change: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		// A rollback to the V2_0 version goes through the same gate.
		code, _, errOut = execCLI(t, "", "rollback", "--yes", "--author", "a", uri)
		if code != 1 || !strings.Contains(errOut, "claimsmapper rollback: refused: this mapping changes triggerVersion from V1_0 to V2_0") || !strings.Contains(errOut, "then rollback again with --allow-version-change") {
			t.Errorf("rollback: exit %d, stderr %s", code, errOut)
		}
		s.Put(t, bucket, key, first)
	})

	t.Run("a rollback to a version that no longer lints", func(t *testing.T) {
		broken := s.Put(t, bucket, key, "version: 1\nclaims:\n  a: nope(\n")
		s.Put(t, bucket, key, first)
		code, _, errOut := execCLI(t, "", "rollback", "--yes", "--author", "a", "--to", broken, uri)
		if code != 1 || !strings.Contains(errOut, "refused: lint found") || inForce(t, s) != first {
			t.Errorf("exit %d, stderr %s", code, errOut)
		}
	})
}

// TestPublishLostRace has someone else publish between the review and the
// write, with conditional writes and with the version check that stands in
// for them on servers without.
func TestPublishLostRace(t *testing.T) {
	s := startPublishS3(t)
	first, theirs := mustRead(t, diffDir+"old.yaml"), "version: 1\nclaims:\n  theirs: '\"yes\"'\n"
	s.Put(t, bucket, key, first)
	// competeOnPut publishes theirs just before the CLI's first PUT.
	competeOnPut := func(onlyUnconditional bool) {
		var once sync.Once
		s.Intercept(func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodPut && (!onlyUnconditional || r.Header.Get("If-Match") == "") {
				once.Do(func() { s.Put(t, bucket, key, theirs) })
			}
			return false
		})
	}

	t.Run("the conditional write refuses and writes nothing", func(t *testing.T) {
		competeOnPut(false)
		defer s.Intercept(nil)
		code, _, errOut := execCLI(t, "", "publish", "--yes", "--author", "a", diffDir+"new.yaml", uri)
		if code != 1 || !strings.Contains(errOut, "changed since you reviewed it") || !strings.Contains(errOut, "nothing was written") {
			t.Errorf("exit %d, stderr %s", code, errOut)
		}
		if inForce(t, s) != theirs {
			t.Error("their version should stay in force")
		}
	})

	s.WithoutConditionalWrites()
	s.Put(t, bucket, key, first)
	t.Run("without conditional writes, a publish still works", func(t *testing.T) {
		code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "a", diffDir+"new.yaml", uri)
		if code != 0 || inForce(t, s) != mustRead(t, diffDir+"new.yaml") {
			t.Errorf("exit %d\n%s%s", code, out, errOut)
		}
	})
	t.Run("without conditional writes, the check after the write fails loudly", func(t *testing.T) {
		competeOnPut(true)
		defer s.Intercept(nil)
		code, _, errOut := execCLI(t, "", "publish", "--yes", "--author", "a", diffDir+"old.yaml", uri)
		if code != 1 || !strings.Contains(errOut, "someone else published") || !strings.Contains(errOut, "claimsmapper history") {
			t.Errorf("exit %d, stderr %s", code, errOut)
		}
	})
}

// TestPublishRecordsTheCallerIdentity points STS at a local server that
// answers GetCallerIdentity, as AWS does.
func TestPublishRecordsTheCallerIdentity(t *testing.T) {
	startPublishS3(t)
	const arn = "arn:aws:sts::123456789012:assumed-role/mapping-publisher/ana"
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>`+arn+`</Arn><UserId>AROAEXAMPLE:ana</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	}))
	defer sts.Close()
	t.Setenv("AWS_ENDPOINT_URL_STS", sts.URL)
	code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "ignored", diffDir+"old.yaml", uri)
	if code != 0 || !strings.Contains(out, "by "+arn) {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if h := history(t); h[0].Author != arn {
		t.Errorf("author %q, want the caller's ARN", h[0].Author)
	}
}

func TestConfirmNeedsAYes(t *testing.T) {
	t.Parallel()
	for answer, want := range map[string]bool{"y\n": true, "YES\n": true, " yes \n": true, "\n": false, "n\n": false, "": false, "yep\n": false} {
		var out strings.Builder
		if got := confirm(strings.NewReader(answer), &out, "Publish?"); got != want {
			t.Errorf("answer %q: %v, want %v", answer, got, want)
		}
		if out.String() != "Publish? [y/N] " {
			t.Errorf("asked %q", out.String())
		}
	}
}

// TestHistoryShowsHostileMetadataEscaped: a version uploaded by other means
// with escape sequences, C1 controls and a bidi override in its author and
// message reaches no terminal as such: history (text and JSON) and
// rollback show them escaped.
func TestHistoryShowsHostileMetadataEscaped(t *testing.T) {
	s := startPublishS3(t)
	code, out, errOut := execCLI(t, "", "publish", "--yes", "--author", "ana", diffDir+"old.yaml", uri)
	if code != 0 {
		t.Fatalf("publish: exit %d\n%s%s", code, out, errOut)
	}
	author := "\x1b[2J\x1b]8;;http://evil.example\x07mallory\x1b]8;;\x07"
	message := "fix\u009b31m\u202egnp.exe\r\nline two\x7f"
	_, err := s.Client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(mustRead(t, diffDir+"new.yaml")),
		Metadata: map[string]string{"claimsmapper-author": url.QueryEscape(author), "claimsmapper-message": url.QueryEscape(message), "claimsmapper-sha256": "not-a-digest"},
	})
	if err != nil {
		t.Fatal(err)
	}
	unsafe := func(s string) bool { return strings.ContainsAny(s, "\x1b\x07\x7f\r\u009b\u202e") }
	for _, args := range [][]string{{"history", uri}, {"history", "--format", "json", uri}} {
		code, out, errOut := execCLI(t, "", args...)
		if code != 0 || unsafe(out) || unsafe(errOut) {
			t.Errorf("%v: exit %d, control characters reach the terminal:\n%q\n%q", args, code, out, errOut)
		}
		if !strings.Contains(out, `\x1b[2J`) && !strings.Contains(out, `\u001b[2J`) {
			t.Errorf("%v: the author is not shown escaped:\n%s", args, out)
		}
	}
	h := history(t)
	if h[0].Author != author || h[0].Message != message {
		t.Errorf("the JSON does not decode to the metadata as written: %q %q", h[0].Author, h[0].Message)
	}
	code, out, errOut = execCLI(t, "", "publish", "--yes", "--author", "ana", diffDir+"old.yaml", uri)
	if code != 0 {
		t.Fatalf("publish over the hostile version: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = execCLI(t, "", "rollback", "--yes", "--author", "cy", "--to", h[0].VersionID, uri)
	if code != 0 || unsafe(out) || unsafe(errOut) || !strings.Contains(out, `\x1b]8;;http://evil.example\x07mallory`) {
		t.Errorf("rollback to the hostile version: exit %d:\n%q\n%q", code, out, errOut)
	}
}
