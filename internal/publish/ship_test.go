package publish

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/signing"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

func TestRollbackVersionPicksAnEarlierMapping(t *testing.T) {
	t.Parallel()
	loc, _ := ParseTarget("s3://b/k")
	now := time.Now()
	vs := []Version{
		{VersionID: "c", Latest: true, Time: now},
		{VersionID: "del", Deleted: true, Time: now.Add(-time.Minute)},
		{VersionID: "b", Time: now.Add(-2 * time.Minute)},
	}
	for _, tt := range []struct {
		name, to, want, err string
		vs                  []Version
	}{
		{name: "without --to, the one before the version in force", want: "b", vs: vs},
		{name: "the version named", to: "b", want: "b", vs: vs},
		{name: "without --to and nothing earlier, an error", vs: vs[:1], err: "s3://b/k has no earlier version to go back to"},
		{name: "a version that does not exist, an error that says where they are listed", to: "x", vs: vs, err: `s3://b/k has no version "x"; claimsmapper history s3://b/k lists them`},
		{name: "a deletion, an error", to: "del", vs: vs, err: `version "del" of s3://b/k is a deletion, not a mapping`},
		{name: "the version in force, nothing to do", to: "c", vs: vs, err: `version "c" is already in force`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v, err := rollbackVersion(tt.vs, loc, tt.to)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || v.VersionID != tt.want {
				t.Errorf("got %q, %v; want %q", v.VersionID, err, tt.want)
			}
		})
	}
	var inForce *InForceError
	if _, err := rollbackVersion(vs, loc, "c"); !errors.As(err, &inForce) || inForce.VersionID != "c" {
		t.Errorf("the version in force should be an *InForceError: %v", err)
	}
}

func TestRollbackSaysWhatItRecordsAndWhatWasWrittenByOtherMeans(t *testing.T) {
	t.Parallel()
	text := []byte("version: 1\nclaims: {}\n")
	r := &Rollback{Version: Version{VersionID: "v1", Meta: Metadata{SHA256: "0000"}}, Object: Object{Object: mappingfile.Object{Text: text}}}
	if got := r.Message(""); got != "rollback to version v1" {
		t.Errorf("message %q", got)
	}
	if got := r.Message("bad claim"); got != "rollback to version v1: bad claim" {
		t.Errorf("message with a reason %q", got)
	}
	if !r.TextDiffers() {
		t.Error("a text whose sha256 is not the recorded one was written by other means")
	}
	r.Version.Meta.SHA256 = ""
	if r.TextDiffers() {
		t.Error("a version with no recorded sha256 (not published with claimsmapper) cannot be said to differ")
	}
}

func TestEntriesSayWhatHistoryShowsOfEachVersion(t *testing.T) {
	t.Parallel()
	loc, _ := ParseTarget("s3://b/k")
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := signing.PublicKeyFromDER(der)
	if err != nil {
		t.Fatal(err)
	}
	keys := func(keyID string) (*signing.Verifier, error) {
		if keyID == "unreachable" {
			return nil, errors.New("KMS cannot be reached")
		}
		return verifier, nil
	}
	signed := func(keyID string) map[string]string {
		return map[string]string{signing.MetaSignature: "v1:AAAA", signing.MetaSignKey: keyID}
	}
	now := time.Date(2026, 12, 5, 1, 2, 3, 0, time.FixedZone("CET", 3600))
	es := entries([]Version{
		{VersionID: "d", Latest: true, Time: now, Deleted: true, Claims: 0},
		{VersionID: "c", Time: now, SHA256: "cc", Claims: 2, Raw: signed("unreachable"), Meta: Metadata{Author: "ana", SHA256: "cc"}},
		{VersionID: "b", Time: now, SHA256: "bb", Claims: -1, Raw: signed("arn:aws:kms:eu-west-1:1:key/k"), Meta: Metadata{SHA256: "other"}},
		{VersionID: "a", Time: now, SHA256: "aa", Claims: 1},
	}, loc, keys)
	if len(es) != 4 {
		t.Fatalf("%d entries, want 4", len(es))
	}
	if e := es[0]; !e.Deleted || !e.InForce || e.Claims != nil || e.Signature != nil || e.Time.Location() != time.UTC {
		t.Errorf("a deletion in force, in UTC, with no claim count: %+v", e)
	}
	if e := es[1]; e.Signature == nil || !e.Signature.Unchecked || e.Signature.Verified || e.RecordedSHA256 != "" || *e.Claims != 2 || e.Author != "ana" {
		t.Errorf("a signature whose key cannot be fetched is not checked, not bad: %+v %+v", e, e.Signature)
	}
	if e := es[2]; e.Signature == nil || e.Signature.Unchecked || e.Signature.Verified || e.Signature.Problem == "" || e.RecordedSHA256 != "other" || e.Claims != nil {
		t.Errorf("a signature that does not verify is bad, and a differing digest recorded: %+v %+v", e, e.Signature)
	}
	if e := es[3]; e.Signature != nil || *e.Claims != 1 {
		t.Errorf("an unsigned version has no signature: %+v", e)
	}
	if es := entries(nil, loc, keys); es == nil || len(es) != 0 {
		t.Errorf("no versions should be an empty list (JSON []), not null: %#v", es)
	}
}

// countingKeys is a KMS that serves one public key and counts the requests.
type countingKeys struct {
	der   []byte
	calls map[string]int
}

func (k *countingKeys) GetPublicKey(_ context.Context, keyID string) (string, string, []byte, error) {
	k.calls[keyID]++
	if keyID == "missing" {
		return "", "", nil, fmt.Errorf("no key %q", keyID)
	}
	return "arn:aws:kms:eu-west-1:1:key/" + keyID, "SIGN_VERIFY", k.der, nil
}

func TestPublicKeysAsksKMSOncePerKey(t *testing.T) {
	t.Parallel()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	kms := &countingKeys{der: der, calls: map[string]int{}}
	built := 0
	keys := publicKeys(context.Background(), func() (signing.PublicKeys, error) { built++; return kms, nil })
	if built != 0 {
		t.Error("no client should be built before a key is asked for")
	}
	for range 3 {
		if v, err := keys("k"); v == nil || err != nil {
			t.Fatalf("key k: %v, %v", v, err)
		}
		if _, err := keys("missing"); err == nil {
			t.Fatal("a key KMS does not have should be an error")
		}
	}
	if built != 1 || kms.calls["k"] != 1 || kms.calls["missing"] != 1 {
		t.Errorf("one client and one request per key, errors kept too: built %d, calls %v", built, kms.calls)
	}

	noClient := publicKeys(context.Background(), func() (signing.PublicKeys, error) { return nil, errors.New("no AWS region") })
	if _, err := noClient("k"); err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Errorf("a client that cannot be built should say why: %v", err)
	}
}

func TestShortKeyNamesTheKeyByItsID(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"arn:aws:kms:eu-west-1:111111111111:key/1234": "key/1234",
		"alias/mappings": "alias/mappings",
		"":               "",
	} {
		if got := ShortKey(in); got != want {
			t.Errorf("ShortKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseTargetNamesTheObjectNotAVersion(t *testing.T) {
	t.Parallel()
	if loc, err := ParseTarget("s3://b/k"); err != nil || loc.Bucket != "b" || loc.Key != "k" {
		t.Errorf("s3://b/k: %+v, %v", loc, err)
	}
	for uri, want := range map[string]string{
		"s3://b/k?versionId=v1": "name the object without ?versionId",
		"https://b/k":           "want s3://bucket/key",
	} {
		if _, err := ParseTarget(uri); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", uri, err, want)
		}
	}
}

func TestAuthorIsTheFallbackWhenThereIsNoSTSToAsk(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1")
	t.Setenv("AWS_ENDPOINT_URL_STS", "")
	t.Setenv("AWS_ENDPOINT_URL", "")
	ctx := context.Background()
	if who, err := Author(ctx, "ana"); err != nil || who != "ana" {
		t.Errorf("with a local S3 and no STS, --author is who publishes: %q, %v", who, err)
	}
	if _, err := Author(ctx, ""); err == nil || !strings.Contains(err.Error(), "there is no STS to ask; pass --author NAME") {
		t.Errorf("with nothing to tell who publishes, the error should say to pass --author: %v", err)
	}
}

func TestPlainAWSSaysWhatToDo(t *testing.T) {
	t.Parallel()
	other := errors.New("the bucket is on fire")
	for _, tt := range []struct {
		name   string
		err    error
		dryRun string
		want   string
	}{
		{name: "no region", err: errors.New("operation error S3: GetObject, no AWS region is configured"), dryRun: "publish --dry-run", want: "no AWS region is set: set AWS_REGION to the bucket's region (for example export AWS_REGION=eu-west-1), or AWS_PROFILE to a profile that has one (aws configure); publish --dry-run needs neither"},
		{name: "no credentials", err: errors.New("get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found"), want: "no AWS credentials were found: set AWS_PROFILE to a profile that can reach the bucket (aws configure, or aws sso login --profile NAME), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"},
		{name: "access denied", err: fmt.Errorf("put: %w", &smithy.GenericAPIError{Code: "AccessDenied", Message: "denied"}), want: "AWS refused access: the credentials in use (AWS_PROFILE, or the access keys set) may not do this to the bucket; ask whoever deploys the function for a role that may (put: api error AccessDenied: denied)"},
		{name: "expired credentials", err: &smithy.GenericAPIError{Code: "ExpiredToken"}, dryRun: "rollback --dry-run", want: "AWS does not accept the credentials in use (ExpiredToken): renew them (aws sso login, or new access keys); rollback --dry-run needs neither"},
		{name: "anything else, unchanged", err: other, want: "the bucket is on fire"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainAWS(tt.err, tt.dryRun); got == nil || got.Error() != tt.want {
				t.Errorf("got %v\nwant %s", got, tt.want)
			}
		})
	}
	if PlainAWS(nil, "x") != nil {
		t.Error("no error should stay no error")
	}
	if !errors.Is(PlainAWS(other, ""), other) {
		t.Error("an error it does not explain should be returned as it is")
	}
}

// gets counts the objects read through an API.
type gets struct {
	API
	n atomic.Int64
	// err, when set, is every read's answer.
	err error
}

func (g *gets) GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	g.n.Add(1)
	if g.err != nil {
		return nil, g.err
	}
	return g.API.GetObject(ctx, in, opts...)
}

// A rollback reads the one version it goes back to: the list of versions
// says which it is, and the others (up to a thousand) are not downloaded.
func TestFindRollbackReadsOnlyTheVersionItGoesBackTo(t *testing.T) {
	t.Parallel()
	s := testenv.StartVersionedS3(t)
	s.CreateBucket(t, "maps", true)
	loc, _ := ParseTarget("s3://maps/k")
	ids := make([]string, 4)
	for i := range ids {
		ids[i] = s.Put(t, "maps", "k", fmt.Sprintf("version: 1\nclaims:\n  c%d: '\"x\"'\n", i))
	}
	api := &gets{API: s.Client}
	rb, err := FindRollback(context.Background(), api, loc, "")
	if err != nil {
		t.Fatal(err)
	}
	if rb.Version.VersionID != ids[2] || !strings.Contains(string(rb.Object.Text), "c2:") || rb.Location.VersionID != ids[2] || rb.Version.Claims != 1 {
		t.Errorf("the version before the one in force should be read: %+v", rb)
	}
	if n := api.n.Load(); n != 1 {
		t.Errorf("%d objects read, want the one version gone back to", n)
	}
	// A version that may not be read is said in words, with the fix.
	denied := &gets{API: s.Client, err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "denied"}}
	if _, err := FindRollback(context.Background(), denied, loc, ""); err == nil || !strings.HasPrefix(err.Error(), "AWS refused access") {
		t.Errorf("a version AWS refuses to read: %v", err)
	}
}
