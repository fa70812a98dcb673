package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"strings"
	"testing"
)

// BenchmarkVerifyAtInit is what signing adds to a cold start: reading the
// verification key from its setting, and verifying the mapping once (a
// refresh that finds a new object pays the verification again; a sign-in
// pays nothing). The text is a mapping of typical size.
func BenchmarkVerifyAtInit(b *testing.B) {
	text := []byte(strings.Repeat("claims:\n  plan: user.plan ?? \"free\"\n", 120))
	sum := sha256.Sum256(text)
	meta := map[string]string{
		MetaSHA256: hex.EncodeToString(sum[:]), MetaVersion: "v1.0.0", MetaAuthor: "arn%3Aaws%3Asts%3A%3A111111111111%3Aassumed-role%2Fpublisher%2Fana",
		MetaMessage: "add+the+tenant+claim", MetaSignedAt: "2026-12-05T00:00:00Z", MetaSignKey: "arn:aws:kms:eu-west-1:111111111111:key/1234",
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, k := range []struct {
		name string
		pub  crypto.PublicKey
		sign func(d []byte) []byte
	}{
		{"ECC_NIST_P256", &ecKey.PublicKey, func(d []byte) []byte { s, _ := ecdsa.SignASN1(rand.Reader, ecKey, d); return s }},
		{"RSA_2048", &rsaKey.PublicKey, func(d []byte) []byte { s, _ := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, d); return s }},
	} {
		der, _ := x509.MarshalPKIXPublicKey(k.pub)
		setting := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
		m := map[string]string{}
		for key, v := range meta {
			m[key] = v
		}
		m[MetaSignature] = signatureV1 + base64.StdEncoding.EncodeToString(k.sign(digest(ecdsaP256, payload("s3://b/k", m))))
		b.Run(k.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v, err := ParsePublicKey(setting)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := v.Verify("s3://b/k", text, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
