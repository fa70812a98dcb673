package signing

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"testing"
)

// FuzzVerify: whatever a bucket writer puts in the metadata and the
// setting, the verifier neither panics nor accepts a signature its key did
// not make.
func FuzzVerify(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	v, err := PublicKeyFromDER(der)
	if err != nil {
		f.Fatal(err)
	}
	text := []byte("version: 1\n")
	sum := sha256.Sum256(text)
	meta := map[string]string{MetaSHA256: hex.EncodeToString(sum[:]), MetaSignedAt: "2026-12-05T00:00:00Z", MetaSignKey: "arn:k", MetaAuthor: "ana", MetaMessage: "m", MetaVersion: "v1"}
	sig, _ := ecdsa.SignASN1(rand.Reader, key, digest(ecdsaP256, payload("s3://b/k", meta)))
	good := signatureV1 + base64.StdEncoding.EncodeToString(sig)
	f.Add("s3://b/k", string(text), meta[MetaSHA256], meta[MetaSignedAt], "ana", good, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))
	f.Add("s3://b/k", "x", "", "", "", "v1:", "")
	f.Fuzz(func(t *testing.T, object, body, sha, at, author, signature, setting string) {
		ParsePublicKey(setting) // must not panic
		m := map[string]string{MetaSHA256: sha, MetaSignedAt: at, MetaSignKey: "arn:k", MetaAuthor: author, MetaMessage: "m", MetaVersion: "v1", MetaSignature: signature}
		_, err := v.Verify(object, []byte(body), m)
		// The signature itself may differ (an ECDSA signature has more than
		// one valid encoding); what it covers may not.
		same := object == "s3://b/k" && body == string(text) && sha == meta[MetaSHA256] && at == meta[MetaSignedAt] && author == "ana"
		if err == nil && !same {
			t.Fatalf("accepted a changed object: %q %q %q %q %q", object, body, sha, at, author)
		}
	})
}
