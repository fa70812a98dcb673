package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUnsigned reports an object without a signature.
var ErrUnsigned = errors.New("the mapping is not signed (its object has no claimsmapper-signature metadata): publish it with claimsmapper publish --sign-key KEY")

// Signature is what a verified signature vouches for besides the text.
type Signature struct {
	// KeyID is the ARN of the KMS key that signed, as the signer recorded it.
	KeyID string
	// SignedAt is when it was signed, by the signer's clock.
	SignedAt time.Time
}

// Verifier checks signatures with one public key. It is safe for
// concurrent use.
type Verifier struct {
	ecdsa *ecdsa.PublicKey
	rsa   *rsa.PublicKey
	alg   algorithm
	// Fingerprint is the hex SHA-256 of the key's DER form, cut to 16
	// digits: what logs name the key by.
	Fingerprint string
}

// wantKey says what a verification key may be given as: the end of every
// message ParsePublicKey gives.
const wantKey = "give the public key as PEM (-----BEGIN PUBLIC KEY-----), as the base64 that aws kms get-public-key --query PublicKey --output text prints, or give the KMS key's ARN"

// errNotPKIX says a DER form is no public key, in words rather than
// x509's: an operator reads it.
var errNotPKIX = errors.New("not a public key (a DER SubjectPublicKeyInfo)")

// ParsePublicKey reads a public key as PEM ("-----BEGIN PUBLIC KEY-----") or
// as the base64 DER that KMS's GetPublicKey returns. A refusal says what the
// text looked like (empty, a private key, a certificate, neither PEM nor
// base64) and what to give instead; it never quotes the text, which may be
// a private key given by mistake.
func ParsePublicKey(text string) (*Verifier, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errors.New("the key is empty: " + wantKey)
	}
	var der []byte
	if block, rest := pem.Decode([]byte(text)); block != nil {
		// A private key anywhere in the value is refused, before anything
		// else: openssl writes EC PARAMETERS before the key, and a file
		// may hold the public key followed by the private one.
		for b, r := block, rest; b != nil; b, r = pem.Decode(r) {
			if strings.Contains(b.Type, "PRIVATE KEY") {
				return nil, errPrivate
			}
		}
		if len(bytes.TrimSpace(rest)) > 0 {
			return nil, errors.New("the value holds more than one key or text after the key's END line: give only the public key; " + wantKey)
		}
		switch {
		case block.Type == "PUBLIC KEY":
			der = block.Bytes
		case strings.Contains(block.Type, "PRIVATE KEY"):
			return nil, errPrivate
		case block.Type == "CERTIFICATE":
			return nil, errCertificate
		default:
			return nil, fmt.Errorf("a PEM block of type %s, not PUBLIC KEY: %s", clip(block.Type), wantKey)
		}
	} else {
		b, err := base64.StdEncoding.DecodeString(text)
		if err != nil {
			return nil, errors.New("not a public key: the text is neither PEM nor base64; " + wantKey)
		}
		der = b
		if isPrivateDER(der) {
			return nil, errPrivate
		}
		if _, err := x509.ParseCertificate(der); err == nil {
			return nil, errCertificate
		}
	}
	v, err := PublicKeyFromDER(der)
	if errors.Is(err, errNotPKIX) {
		return nil, fmt.Errorf("%w: %s", err, wantKey)
	}
	return v, err
}

var (
	errPrivate     = errors.New("this is a private key, not a public key, and whoever reads a private key in the function's settings can sign mappings: " + wantKey)
	errCertificate = errors.New("this is a certificate, not a public key: give the public key it holds (openssl x509 -pubkey -noout prints it as PEM) or the KMS key's ARN")
)

// isPrivateDER reports whether der is a private key in one of the forms
// openssl and KMS write.
func isPrivateDER(der []byte) bool {
	// PKCS #8, PKCS #1 and SEC 1 private keys are each a SEQUENCE whose
	// first element is an INTEGER (the version); a public key and a
	// certificate start with a SEQUENCE. Telling them apart by shape
	// keeps the private-key parsers (RSA's especially) out of the
	// function's binary.
	var outer, first asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &outer); err != nil || len(rest) > 0 ||
		outer.Class != asn1.ClassUniversal || outer.Tag != asn1.TagSequence || !outer.IsCompound {
		return false
	}
	if _, err := asn1.Unmarshal(outer.Bytes, &first); err != nil {
		return false
	}
	return first.Class == asn1.ClassUniversal && first.Tag == asn1.TagInteger
}

// PublicKeyFromDER reads a DER SubjectPublicKeyInfo, as KMS returns it.
func PublicKeyFromDER(der []byte) (*Verifier, error) {
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, errNotPKIX
	}
	sum := sha256.Sum256(der)
	v := &Verifier{Fingerprint: hex.EncodeToString(sum[:8])}
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			v.alg = ecdsaP256
		case elliptic.P384():
			v.alg = ecdsaP384
		default:
			return nil, fmt.Errorf("an ECDSA key on %s: use ECC_NIST_P256 or ECC_NIST_P384", k.Curve.Params().Name)
		}
		v.ecdsa = k
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < 2048 || n > 4096 {
			return nil, fmt.Errorf("an RSA key of %d bits: use 2048 to 4096", n)
		}
		v.rsa, v.alg = k, rsaPKCS1
	default:
		return nil, errors.New("a key of a kind claimsmapper does not verify with: use an ECC_NIST_P256, ECC_NIST_P384 or RSA signing key")
	}
	return v, nil
}

// Verify checks that meta holds a signature, by this key, of text's sha256
// published to object (see ObjectName) together with the metadata it
// covers. It returns what the signature vouches for, or why it does not.
func (v *Verifier) Verify(object string, text []byte, meta map[string]string) (Signature, error) {
	sum := sha256.Sum256(text)
	return v.VerifySHA256(object, hex.EncodeToString(sum[:]), meta)
}

// VerifySHA256 is Verify for a text known by its hex sha256.
func (v *Verifier) VerifySHA256(object, textSHA256 string, meta map[string]string) (Signature, error) {
	raw, ok := meta[MetaSignature]
	if !ok || raw == "" {
		return Signature{}, ErrUnsigned
	}
	enc, ok := strings.CutPrefix(raw, signatureV1)
	if !ok {
		return Signature{}, errors.New("the signature is in a format this claimsmapper does not know (not v1): publish the mapping again with this version's claimsmapper")
	}
	sig, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return Signature{}, errors.New("the signature is not base64: the object's metadata was changed after it was signed")
	}
	if meta[MetaSHA256] != textSHA256 {
		return Signature{}, fmt.Errorf("the text's sha256 is %s, but the signature is for %s: the text was changed after it was signed", clip(textSHA256), clip(meta[MetaSHA256]))
	}
	if !v.check(digest(v.alg, payload(object, meta)), sig) {
		return Signature{}, fmt.Errorf("the signature does not verify with the verification key %s: it was made with another key, for another object, or the metadata it covers was changed", v.Fingerprint)
	}
	at, err := time.Parse(time.RFC3339, meta[MetaSignedAt])
	if err != nil {
		// Signed, so the signer wrote it: a signer of another format.
		return Signature{}, fmt.Errorf("the signing time %q is not an RFC 3339 time", clip(meta[MetaSignedAt]))
	}
	return Signature{KeyID: meta[MetaSignKey], SignedAt: at}, nil
}

func (v *Verifier) check(d, sig []byte) bool {
	if v.ecdsa != nil {
		return ecdsa.VerifyASN1(v.ecdsa, d, sig)
	}
	h := crypto.SHA256
	if v.alg.hash384 {
		h = crypto.SHA384
	}
	return rsa.VerifyPKCS1v15(v.rsa, h, d, sig) == nil
}

// clip shortens a value read from metadata, quoted, for a message.
func clip(s string) string {
	if len(s) > 16 {
		s = s[:16] + "…"
	}
	return fmt.Sprintf("%q", s)
}
