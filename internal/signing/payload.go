package signing

import (
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"strconv"
	"strings"
)

// The object metadata (x-amz-meta-…) keys a signed publish writes; S3
// lower-cases them. Publish writes the first four on every version.
const (
	MetaSHA256  = "claimsmapper-sha256"
	MetaVersion = "claimsmapper-version"
	MetaAuthor  = "claimsmapper-author"
	MetaMessage = "claimsmapper-message"
	// MetaSignedAt is when the version was signed, RFC 3339 in UTC.
	MetaSignedAt = "claimsmapper-signed-at"
	// MetaSignKey is the KMS key's ARN.
	MetaSignKey = "claimsmapper-sign-key"
	// MetaSignature is "v1:" and the signature in standard base64.
	MetaSignature = "claimsmapper-signature"
)

// formatV1 is the payload's first line and the signature's prefix names
// its version: a later format gets a new name, so no signature of one can
// be read as the other.
const (
	formatV1    = "claimsmapper signed mapping v1"
	signatureV1 = "v1:"
)

// covered are the metadata fields a v1 signature covers, in payload order.
var covered = []string{MetaSHA256, MetaSignedAt, MetaSignKey, MetaAuthor, MetaMessage, MetaVersion}

// payload is the canonical text a v1 signature is over: the object it was
// published to and the covered metadata, each Go-quoted on its own line,
// so no two different sets of fields give the same text.
func payload(object string, meta map[string]string) []byte {
	var b strings.Builder
	b.WriteString(formatV1)
	b.WriteString("\nobject=")
	b.WriteString(strconv.Quote(object))
	for _, k := range covered {
		b.WriteString("\n")
		b.WriteString(k)
		b.WriteString("=")
		b.WriteString(strconv.Quote(meta[k]))
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// digest hashes the payload with the algorithm's hash.
func digest(alg algorithm, p []byte) []byte {
	if alg.hash384 {
		sum := sha512.Sum384(p)
		return sum[:]
	}
	sum := sha256.Sum256(p)
	return sum[:]
}

// algorithm is how one kind of key signs.
type algorithm struct {
	// kms is the KMS SigningAlgorithmSpec.
	kms     string
	hash384 bool
}

var (
	ecdsaP256 = algorithm{kms: "ECDSA_SHA_256"}
	ecdsaP384 = algorithm{kms: "ECDSA_SHA_384", hash384: true}
	rsaPKCS1  = algorithm{kms: "RSASSA_PKCS1_V1_5_SHA_256"}
)

// ObjectName is how a payload names the object: s3://bucket/key, without
// a version id (a signature is for the object, whichever version holds it).
func ObjectName(bucket, key string) string {
	return fmt.Sprintf("s3://%s/%s", bucket, key)
}
