package integration

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/claimsmapper/claimsmapper/internal/lambda"
	"github.com/claimsmapper/claimsmapper/internal/signing"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestSignedMappings: the CLI signs what it publishes with a KMS key
// (local-kms, through the real SDK), and the function, given that key,
// serves only what the key signed. A bucket writer without the key tries
// an unsigned object, a tampered text, a signature by another key, an old
// signature over new content and an earlier signed version put back: each
// is refused by a running function at its refresh (the mapping in force
// keeps serving, and the rejection is counted) and at a cold start (the
// function does not start), except the earlier version at a cold start,
// which signing cannot tell from a current one (see internal/signing).
func TestSignedMappings(t *testing.T) {
	testenv.Integration(t)
	dir := t.TempDir()
	bin := testenv.BuildCLI(t, dir)
	boot := testenv.BuildBootstrap(t, t.TempDir())
	k := testenv.StartKMS(t)
	s3srv := testenv.StartVersionedS3(t)
	s3srv.CreateBucket(t, "maps", true)
	const uri, object = "s3://maps/live.yaml", "s3://maps/live.yaml"
	goodKey := k.CreateSigningKey(t, types.KeySpecEccNistP256)
	otherKey := k.CreateSigningKey(t, types.KeySpecEccNistP256)
	event := readFile(t, "../testdata/seed/event.json")
	ctx := context.Background()

	awsEnv := testenv.AWSEnv("http://127.0.0.1:9")
	maps.Copy(awsEnv, s3srv.Env())
	maps.Copy(awsEnv, k.Env())
	var cliEnv []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cliEnv = append(cliEnv, kv)
		}
	}
	for k, v := range awsEnv {
		cliEnv = append(cliEnv, k+"="+v)
	}
	cli := func(args ...string) (string, string, int) {
		t.Helper()
		return runBinary(t, bin, cliEnv, args...)
	}
	publish := func(version string, extra ...string) {
		t.Helper()
		file := filepath.Join(dir, version+".yaml")
		if err := os.WriteFile(file, []byte(constMapping(version)), 0o644); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"publish", "--yes", "--author", "ops", "--message", "mapping " + version}, extra...)
		out, errOut, code := cli(append(args, file, uri)...)
		if code != 0 {
			t.Fatalf("publish %s: exit %d\n%s%s", version, code, out, errOut)
		}
	}
	current := func() (string, map[string]string) {
		t.Helper()
		out, err := s3srv.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("maps"), Key: aws.String("live.yaml")})
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		b, _ := io.ReadAll(out.Body)
		return string(b), out.Metadata
	}
	upload := func(text string, meta map[string]string) {
		t.Helper()
		if _, err := s3srv.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("maps"), Key: aws.String("live.yaml"), Body: strings.NewReader(text), Metadata: meta}); err != nil {
			t.Fatal(err)
		}
	}

	// The first signed version, kept to be put back later.
	publish("A0", "--sign-key", goodKey)
	a0Text, a0Meta := current()

	fnEnv := maps.Clone(awsEnv)
	maps.Copy(fnEnv, map[string]string{
		"CLAIMS_MAPPING_URI": uri, "CLAIMS_MAPPING_REFRESH": "1s", lambda.EnvVerifyKey: goodKey,
		"LOG_LEVEL": "info", "AWS_LAMBDA_FUNCTION_TIMEOUT": "5",
	})
	emu := testenv.LockEmulator(t)
	var fn *testenv.Function
	start := func() *testenv.Function {
		t.Helper()
		if fn != nil {
			fn.Stop()
		}
		f, err := emu.Start(boot, fnEnv)
		if err != nil {
			testenv.Unavailable(t, "%v", err)
		}
		t.Cleanup(f.Stop)
		fn = f
		return f
	}
	const rejected = `"msg":"mapping rejected, keeping the current mapping"`
	// refreshed invokes the running function until a check has ended with
	// a load or a rejection, and returns what it serves then. A check
	// starts in the first invocation after the interval, which no line
	// announces, and the invocation that takes its outcome writes the
	// line: between invocations that show none it pauses 100 ms instead
	// of invoking back to back, as untilServed does.
	refreshed := func(line string) string {
		t.Helper()
		before := strings.Count(fn.Output(), line)
		grew := func(out string) bool { return strings.Count(out, line) > before }
		deadline := time.Now().Add(refreshDeadline)
		for time.Now().Before(deadline) {
			got := mappingVersion(t, fn.Invoke(t, "poll", event), fn)
			if grew(fn.Output()) {
				return got
			}
			fn.WaitOutputFunc(grew, 100*time.Millisecond)
		}
		t.Fatalf("no %s within %v:\n%s", line, refreshDeadline, fn.Output())
		return ""
	}

	publish("A", "--sign-key", goodKey)
	start()
	if got := mappingVersion(t, fn.Invoke(t, "cold", event), fn); got != "A" {
		t.Fatalf("a signed mapping at a cold start: served %q, want A\n%s", got, fn.Output())
	}
	if logs := fn.Output(); !strings.Contains(logs, `"msg":"mapping signatures required","key":"`+goodKey) || !strings.Contains(logs, `"signedBy":"`+goodKey) {
		t.Errorf("the function does not say it requires signatures, or by which key:\n%s", logs)
	}
	publish("B", "--sign-key", goodKey)
	if got := refreshed(`"trigger":"refresh"`); got != "B" {
		t.Fatalf("a signed publish at a refresh: served %q, want B", got)
	}

	signedBy := func(keyID, text string) map[string]string {
		s, err := signing.NewSigner(ctx, k.API, keyID)
		if err != nil {
			t.Fatal(err)
		}
		meta := map[string]string{signing.MetaSHA256: sum(text), signing.MetaVersion: "v1", signing.MetaAuthor: "mallory"}
		if err := s.Sign(ctx, object, []byte(text), meta); err != nil {
			t.Fatal(err)
		}
		return meta
	}
	evil := constMapping("EVIL")
	cases := []struct {
		name       string
		text       string
		meta       func() map[string]string
		refusal    string // what the logs say
		coldStarts bool   // a cold start serves it anyway
	}{
		{"an unsigned object", evil, func() map[string]string { return nil }, "is not signed", false},
		{"a tampered text under a good signature", evil, func() map[string]string { _, m := current(); return m }, "the text was changed after it was signed", false},
		{"a signature by another key", evil, func() map[string]string { return signedBy(otherKey, evil) }, "does not verify with the verification key", false},
		{"an old signature over new content, its digest replaced", evil, func() map[string]string {
			m := maps.Clone(a0Meta)
			m[signing.MetaSHA256] = sum(evil)
			return m
		}, "does not verify with the verification key", false},
		{"an earlier signed version put back", a0Text, func() map[string]string { return a0Meta }, "before the mapping in force", true},
	}
	for i, c := range cases {
		// The version in force: signed, served by a running function.
		version := string(rune('C' + i))
		publish(version, "--sign-key", goodKey)
		start()
		if got := mappingVersion(t, fn.Invoke(t, "warm", event), fn); got != version {
			t.Fatalf("%s: served %q before the upload, want %s", c.name, got, version)
		}
		upload(c.text, c.meta())
		if got := refreshed(rejected); got != version {
			t.Errorf("%s: at a refresh, served %q, want %s kept", c.name, got, version)
		}
		lines := strings.Split(fn.WaitOutput(`"outcome"`, time.Second), "\n")
		last := ""
		for _, l := range lines {
			if strings.Contains(l, rejected) {
				last = l
			}
		}
		if !strings.Contains(last, c.refusal) || !strings.Contains(last, `"error":"signature: `) {
			t.Errorf("%s: the rejection does not say %q: %s", c.name, c.refusal, last)
		}
		fn.Invoke(t, "count", event) // the rejection's metric goes out with the next invocation
		if !rejectionCounted(t, fn) {
			t.Errorf("%s: no MappingRefresh rejected metric:\n%s", c.name, fn.Output())
		}

		start()
		inv := fn.Invoke(t, "cold", event)
		if c.coldStarts {
			if got := mappingVersion(t, inv, fn); got != "A0" {
				t.Errorf("%s: a cold start served %q", c.name, got)
			}
			continue
		}
		initFails(t, fn, inv, `"msg":"mapping signature rejected, not serving"`, c.refusal)
	}
	fn.Stop()

	// history marks each version: signed and verified, unsigned, or bad.
	out, errOut, code := cli("history", "--format", "json", "--limit", "100", uri)
	if code != 0 {
		t.Fatalf("history: exit %d\n%s", code, errOut)
	}
	var h []struct {
		VersionID string
		Message   string
		Author    string
		Signature *struct {
			KeyID    string
			Verified bool
			Problem  string
			PutBack  string `json:"signedBeforeVersion"`
		}
	}
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		t.Fatal(err)
	}
	var signed, other, unsigned, bad int
	for _, v := range h {
		switch {
		case v.Signature == nil:
			unsigned++
		case v.Signature.Verified && v.Signature.KeyID == goodKey && strings.HasPrefix(v.Message, "mapping "):
			signed++
		case v.Signature.Verified && v.Signature.KeyID == otherKey && v.Author == "mallory":
			other++
		case !v.Signature.Verified && v.Signature.Problem != "":
			bad++
		default:
			t.Errorf("history entry %+v %+v", v, v.Signature)
		}
	}
	// A0, A, B, C..G signed with the key (and A0 again, put back: its
	// signature still verifies); mallory's, signed with another key, shown
	// as that key's; one unsigned; two bad (the text tampered with, and the
	// digest replaced).
	if signed != 9 || other != 1 || unsigned != 1 || bad != 2 {
		t.Errorf("history: %d versions signed with the key (want 9), %d with another (want 1), %d unsigned (want 1), %d bad (want 2):\n%s", signed, other, unsigned, bad, out)
	}
	putBack := 0
	for _, v := range h {
		if v.Signature != nil && v.Signature.PutBack != "" {
			putBack++
		}
	}
	if putBack != 1 {
		t.Errorf("history marks %d versions as put back, want 1 (A0's):\n%s", putBack, out)
	}
	text, _, _ := cli("history", uri)
	if !strings.Contains(text, "SIGNED") || !strings.Contains(text, "BAD SIGNATURE") || !strings.Contains(text, signingShort(goodKey)) || !strings.Contains(text, "(PUT BACK)") {
		t.Errorf("history text does not mark the signatures:\n%s", text)
	}

	// With signing on, rollback refuses an unsigned version, and publish
	// refuses to put an unsigned version over a signed one.
	var unsignedID string
	for _, v := range h {
		if v.Signature == nil {
			unsignedID = v.VersionID
		}
	}
	out, errOut, code = cli("rollback", "--yes", "--author", "ops", "--sign-key", goodKey, "--to", unsignedID, uri)
	if code != 1 || !strings.Contains(errOut, "not signed") || !strings.Contains(errOut, "rollback goes back only to versions signed") {
		t.Errorf("rollback to an unsigned version: exit %d\n%s%s", code, out, errOut)
	}
	publish("H", "--sign-key", goodKey)
	file := filepath.Join(dir, "I.yaml")
	os.WriteFile(file, []byte(constMapping("I")), 0o644)
	out, errOut, code = cli("publish", "--yes", "--author", "ops", file, uri)
	if code != 1 || !strings.Contains(errOut, "is signed with KMS key") || !strings.Contains(errOut, "--sign-key") {
		t.Errorf("an unsigned publish over a signed version: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = cli("rollback", "--yes", "--author", "ops", "--sign-key", goodKey, uri)
	if code != 0 || !strings.Contains(out, "signed with") {
		t.Errorf("a signed rollback to a signed version: exit %d\n%s%s", code, out, errOut)
	}
}

// rejectionCounted reports whether the function's metrics hold a
// MappingRefresh with Outcome rejected.
func rejectionCounted(t *testing.T, fn *testenv.Function) bool {
	t.Helper()
	for _, line := range testenv.EMFLines([]byte(fn.WaitOutput(`"Outcome":"rejected"`, 2*time.Second))) {
		doc, err := testenv.CheckEMF(line)
		if err != nil {
			t.Fatalf("invalid EMF document: %v\n%s", err, line)
		}
		if doc["Outcome"] == lambda.RefreshRejected && doc["MappingRefresh"] == 1.0 {
			return true
		}
	}
	return false
}

func signingShort(arn string) string { return arn[strings.LastIndex(arn, ":key/")+1:] }
