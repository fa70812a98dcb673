package signing_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"maps"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/signing"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

const object = "s3://mappings/prod/mapping.yaml"

// signed returns text's metadata as publish writes it, signed by s.
func signed(t *testing.T, s *signing.Signer, object string, text []byte) map[string]string {
	t.Helper()
	meta := map[string]string{
		signing.MetaSHA256: mappingfile.SHA256(text), signing.MetaVersion: "v1.2.3",
		signing.MetaAuthor: "arn%3Aaws%3Asts%3A%3A111111111111%3Aassumed-role%2Fpublisher%2Fana", signing.MetaMessage: "add+tenant",
	}
	if err := s.Sign(context.Background(), object, text, meta); err != nil {
		t.Fatal(err)
	}
	return meta
}

// TestSignAndVerifyWithLocalKMS signs through the AWS SDK against
// local-kms, with each kind of key, and verifies offline: a good signature
// passes, and every change an attacker without the key could make fails.
func TestSignAndVerifyWithLocalKMS(t *testing.T) {
	k := testenv.StartKMS(t)
	ctx := context.Background()
	other, err := signing.NewSigner(ctx, k.API, k.CreateSigningKey(t, types.KeySpecEccNistP256))
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range []types.KeySpec{types.KeySpecEccNistP256, types.KeySpecEccNistP384, types.KeySpecRsa2048, types.KeySpecRsa4096} {
		t.Run(string(spec), func(t *testing.T) {
			arn := k.CreateSigningKey(t, spec)
			s, err := signing.NewSigner(ctx, k.API, arn)
			if err != nil {
				t.Fatal(err)
			}
			if s.KeyID != arn {
				t.Errorf("KeyID %q, want the ARN %q", s.KeyID, arn)
			}
			v, err := signing.ParsePublicKey(k.PublicKeyPEM(t, arn))
			if err != nil {
				t.Fatal(err)
			}
			old, text := []byte("version: 1\nclaims:\n  plan: '\"free\"'\n"), []byte("version: 1\nclaims:\n  plan: '\"premium\"'\n")
			oldMeta := signed(t, s, object, old)
			meta := signed(t, s, object, text)
			got, err := v.Verify(object, text, meta)
			if err != nil {
				t.Fatalf("a good signature: %v", err)
			}
			if got.KeyID != arn || time.Since(got.SignedAt) > time.Hour || got.SignedAt.After(time.Now()) {
				t.Errorf("signature %+v", got)
			}
			if len(strings.Join(slicesOf(meta), "")) > 2048 {
				t.Errorf("the metadata takes more than S3's 2 KB")
			}
			refused := map[string]struct {
				text []byte
				meta map[string]string
				obj  string
				want string
			}{
				"unsigned":                              {text, without(meta, signing.MetaSignature), object, "not signed"},
				"tampered text":                         {[]byte(string(text) + "  admin: '\"yes\"'\n"), meta, object, "the text was changed after it was signed"},
				"tampered author":                       {text, with(meta, signing.MetaAuthor, "mallory"), object, "does not verify"},
				"tampered message":                      {text, with(meta, signing.MetaMessage, "harmless"), object, "does not verify"},
				"tampered time":                         {text, with(meta, signing.MetaSignedAt, "2099-01-01T00:00:00Z"), object, "does not verify"},
				"another object":                        {text, meta, "s3://mappings/staging/mapping.yaml", "does not verify"},
				"another key":                           {text, signed(t, other, object, text), object, "does not verify"},
				"an old signature, new text":            {text, oldMeta, object, "the text was changed after it was signed"},
				"an old signature, new text and digest": {text, with(oldMeta, signing.MetaSHA256, meta[signing.MetaSHA256]), object, "does not verify"},
				"an unknown format":                     {text, with(meta, signing.MetaSignature, "v2:"+strings.TrimPrefix(meta[signing.MetaSignature], "v1:")), object, "format"},
				"not base64":                            {text, with(meta, signing.MetaSignature, "v1:***"), object, "not base64"},
				"an empty signature":                    {text, with(meta, signing.MetaSignature, "v1:"), object, "does not verify"},
			}
			for name, c := range refused {
				_, err := v.Verify(c.obj, c.text, c.meta)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: got %v, want an error saying %q", name, err, c.want)
				}
			}
			if _, err := v.Verify(object, text, without(meta, signing.MetaSignature)); !errors.Is(err, signing.ErrUnsigned) {
				t.Errorf("unsigned: %v, want ErrUnsigned", err)
			}
		})
	}
}

func TestSignerRefusesKeysThatCannotSign(t *testing.T) {
	k := testenv.StartKMS(t)
	ctx := context.Background()
	good := k.CreateSigningKey(t, types.KeySpecEccNistP256)
	if _, err := signing.NewSigner(ctx, k.API, "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000000"); err == nil {
		t.Error("a missing key gave a signer")
	}
	if _, err := signing.NewSigner(ctx, k.API, good); err != nil {
		t.Errorf("a signing key: %v", err)
	}
	out, err := k.Client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: types.KeySpecRsa2048, KeyUsage: types.KeyUsageTypeEncryptDecrypt})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signing.NewSigner(ctx, k.API, *out.KeyMetadata.Arn); err == nil || !strings.Contains(err.Error(), "not SIGN_VERIFY") {
		t.Errorf("an encryption key: %v, want a refusal naming SIGN_VERIFY", err)
	}
	if out, err = k.Client.CreateKey(ctx, &kms.CreateKeyInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := signing.NewSigner(ctx, k.API, *out.KeyMetadata.Arn); err == nil {
		t.Error("a symmetric key gave a signer")
	}
}

func TestParsePublicKey(t *testing.T) {
	t.Parallel()
	edPub, _, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	edDER, err := x509.MarshalPKIXPublicKey(edPub)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sec1, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := signing.ParsePublicKey(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})) + "\n\n"); err != nil {
		t.Fatalf("one public key and blank lines: %v", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "signer"}, NotAfter: time.Now().Add(time.Hour)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	pemOf := func(typ string, der []byte) string {
		return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
	}
	b64 := base64.StdEncoding.EncodeToString
	const (
		private     = "this is a private key, not a public key"
		certificate = "this is a certificate, not a public key: give the public key it holds (openssl x509 -pubkey -noout"
		notAKey     = "not a public key"
	)
	for _, tt := range []struct{ name, in, want string }{
		// The message names what to use, never a Go type.
		{"an Ed25519 key", b64(edDER), "a key of a kind claimsmapper does not verify with: use an ECC_NIST_P256"},
		{"an empty value", "", "the key is empty"},
		{"only spaces", " \n\t ", "the key is empty"},
		{"garbage", "not a key", "the text is neither PEM nor base64"},
		{"a PKCS #8 private key as PEM", pemOf("PRIVATE KEY", pkcs8), private},
		{"an EC private key as PEM", pemOf("EC PRIVATE KEY", sec1), private},
		{"a private key block that is no key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", private},
		{"a private key as base64", b64(pkcs8), private},
		{"an EC private key as base64", b64(sec1), private},
		{"EC parameters, then the private key (openssl ecparam -genkey)", pemOf("EC PARAMETERS", []byte{6, 8, 42, 134, 72, 206, 61, 3, 1, 7}) + pemOf("EC PRIVATE KEY", sec1), private},
		{"the public key, then the private key", pemOf("PUBLIC KEY", pubDER) + pemOf("PRIVATE KEY", pkcs8), private},
		{"two public keys", pemOf("PUBLIC KEY", pubDER) + pemOf("PUBLIC KEY", pubDER), "more than one key"},
		{"the public key, then text", pemOf("PUBLIC KEY", pubDER) + "trailing words\n", "more than one key"},
		{"a certificate as PEM", pemOf("CERTIFICATE", cert), certificate},
		{"a certificate as base64", b64(cert), certificate},
		{"another PEM block", pemOf("RSA PUBLIC KEY", []byte("x")), `a PEM block of type "RSA PUBLIC KEY", not PUBLIC KEY`},
		{"base64 that is no key", b64([]byte("hello")), notAKey},
		{"a PEM that is no key", pemOf("PUBLIC KEY", []byte("x")), notAKey},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := signing.ParsePublicKey(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			msg := err.Error()
			// What to give instead, in words: every refusal but a key of
			// the wrong kind or size, which says which kinds to use.
			if tt.want != "a key of a kind claimsmapper does not verify with: use an ECC_NIST_P256" && !strings.Contains(msg, "ARN") {
				t.Errorf("%q does not say what to give instead", msg)
			}
			if tt.want != certificate && tt.want != "a key of a kind claimsmapper does not verify with: use an ECC_NIST_P256" &&
				(!strings.Contains(msg, "-----BEGIN PUBLIC KEY-----") || !strings.Contains(msg, "aws kms get-public-key")) {
				t.Errorf("%q does not name the PEM and base64 forms", msg)
			}
			for _, goText := range []string{"x509:", "asn1", "ParsePKCS", "structure error", "tags don't match"} {
				if strings.Contains(msg, goText) {
					t.Errorf("%q passes Go's own text (%s) to the operator", msg, goText)
				}
			}
			var body strings.Builder // the value without its PEM lines
			for _, line := range strings.Split(tt.in, "\n") {
				if !strings.HasPrefix(line, "-----") {
					body.WriteString(strings.TrimSpace(line))
				}
			}
			if b := body.String(); len(b) >= 8 && strings.Contains(msg, b[:8]) {
				t.Errorf("%q quotes the value, which may be a private key", msg)
			}
		})
	}
}

func with(m map[string]string, k, v string) map[string]string {
	out := maps.Clone(m)
	out[k] = v
	return out
}

func without(m map[string]string, k string) map[string]string {
	out := maps.Clone(m)
	delete(out, k)
	return out
}

func slicesOf(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}
