package publish

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/claimsmapper/claimsmapper/internal/signing"
)

func TestMetadataRoundTrips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Metadata
	}{
		{"plain text", Metadata{SHA256: "ab", Version: "v1.2.3", Author: "arn:aws:sts::1:assumed-role/r/ana", Message: "add tenant"}},
		{"text S3 headers cannot hold", Metadata{SHA256: "ab", Version: "dev", Author: "Zoë", Message: "line one\nline two: ünïcode, 100% & more"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := tt.in.encode(0)
			for k, v := range enc {
				for _, r := range v {
					if r < 0x20 || r > 0x7e {
						t.Fatalf("metadata %s=%q is not printable ASCII", k, v)
					}
				}
			}
			if got := decodeMetadata(enc); got != tt.in {
				t.Errorf("decode(encode(%+v)) = %+v", tt.in, got)
			}
		})
	}
}

func TestFitKeepsALongMessageWithinTheLimit(t *testing.T) {
	t.Parallel()
	for _, s := range []string{strings.Repeat("é", 2000), strings.Repeat("a", 5000), "short"} {
		got := fit(s, maxMessage)
		if len(url.QueryEscape(got)) > maxMessage || !utf8.ValidString(got) {
			t.Errorf("fit(%d bytes) = %d escaped bytes, valid %v", len(s), len(url.QueryEscape(got)), utf8.ValidString(got))
		}
		if got != s && !strings.HasSuffix(got, "…") {
			t.Errorf("a cut message should end in …")
		}
	}
}

func TestPreviousSkipsTheCurrentVersionAndDeletions(t *testing.T) {
	t.Parallel()
	now := time.Now()
	vs := []Version{
		{VersionID: "c", Latest: true, Time: now},
		{VersionID: "del", Deleted: true, Time: now.Add(-time.Minute)},
		{VersionID: "b", Time: now.Add(-2 * time.Minute)},
		{VersionID: "a", Time: now.Add(-3 * time.Minute)},
	}
	if v, ok := beforeInForce(vs); !ok || v.VersionID != "b" {
		t.Errorf("beforeInForce = %q, %v; want b", v.VersionID, ok)
	}
	if _, ok := beforeInForce(vs[:1]); ok {
		t.Error("a single version has no previous one")
	}
}

func TestVersionsSortNewestFirstKeepingTheListOrderOnTies(t *testing.T) {
	t.Parallel()
	sec := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	vs := []Version{
		{VersionID: "old", Time: sec.Add(-time.Second)},
		{VersionID: "tie1", Time: sec},
		{VersionID: "tie2", Time: sec},
		{VersionID: "cur", Time: sec, Latest: true},
	}
	sortNewestFirst(vs)
	var got []string
	for _, v := range vs {
		got = append(got, v.VersionID)
	}
	if strings.Join(got, ",") != "cur,tie1,tie2,old" {
		t.Errorf("order %v", got)
	}
}

func TestParseLocationWantsAnS3URI(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"mapping.yaml", "s3://bucket", "s3://bucket/", "https://bucket/key"} {
		if _, err := ParseLocation(bad); err == nil {
			t.Errorf("ParseLocation(%q) succeeded", bad)
		}
	}
	loc, err := ParseLocation("s3://b/prod/m.yaml")
	if err != nil || loc.Bucket != "b" || loc.Key != "prod/m.yaml" || loc.String() != "s3://b/prod/m.yaml" {
		t.Errorf("got %+v, %v", loc, err)
	}
}

// TestSignedMetadataFitsS3: with the longest author, a long message and the
// largest signature (RSA 4096), the metadata stays within S3's 2 KB.
func TestSignedMetadataFitsS3(t *testing.T) {
	t.Parallel()
	arn := "arn:aws:kms:ap-southeast-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef"
	m := Metadata{SHA256: strings.Repeat("a", 64), Version: "v1.22.333-dirty", Author: strings.Repeat("é", 128), Message: strings.Repeat("é", 5000)}
	enc := m.encode(signing.SignatureSize(arn))
	enc[signing.MetaSignedAt] = "2026-12-05T00:00:00Z"
	enc[signing.MetaSignKey] = arn
	enc[signing.MetaSignature] = "v1:" + strings.Repeat("A", 684)
	total := 0
	for k, v := range enc {
		total += len(k) + len(v)
	}
	if total > 2048 {
		t.Errorf("signed metadata takes %d bytes, more than S3's 2048", total)
	}
	if !strings.HasSuffix(decodeMetadata(enc).Message, "…") {
		t.Errorf("the message was not cut to fit")
	}
}
