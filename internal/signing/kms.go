package signing

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"
)

// PublicKeys is KMS's GetPublicKey: a key's ARN, its KeyUsage and its
// public key as DER. The function's client (internal/awsapi) and the CLI's
// (internal/awsconfig, the SDK's) implement it.
type PublicKeys interface {
	GetPublicKey(ctx context.Context, keyID string) (arn, usage string, der []byte, err error)
}

// KMS is GetPublicKey and Sign (of a digest, MessageType DIGEST).
type KMS interface {
	PublicKeys
	Sign(ctx context.Context, keyID, algorithm string, digest []byte) ([]byte, error)
}

// kmsTimeout bounds one KMS call.
const kmsTimeout = 5 * time.Second

// FetchPublicKey asks KMS for a signing key's public key and returns its
// verifier and the key's ARN.
func FetchPublicKey(ctx context.Context, api PublicKeys, keyID string) (*Verifier, string, error) {
	ctx, cancel := context.WithTimeout(ctx, kmsTimeout)
	defer cancel()
	arn, usage, der, err := api.GetPublicKey(ctx, keyID)
	if err != nil {
		return nil, "", fmt.Errorf("read the public key of KMS key %q: %w", keyID, err)
	}
	if usage != "SIGN_VERIFY" {
		return nil, "", fmt.Errorf("KMS key %q is for %s, not SIGN_VERIFY: create an asymmetric signing key (ECC_NIST_P256)", keyID, usage)
	}
	v, err := PublicKeyFromDER(der)
	if err != nil {
		return nil, "", fmt.Errorf("KMS key %q: %w", keyID, err)
	}
	return v, arn, nil
}

// Signer signs with a KMS key.
type Signer struct {
	api KMS
	// KeyID is the key's ARN, as KMS names it.
	KeyID    string
	Verifier *Verifier
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewSigner reads the key's public key (to learn its ARN and algorithm, and
// to check each signature before it is used).
func NewSigner(ctx context.Context, api KMS, keyID string) (*Signer, error) {
	v, arn, err := FetchPublicKey(ctx, api, keyID)
	if err != nil {
		return nil, err
	}
	return &Signer{api: api, KeyID: arn, Verifier: v}, nil
}

// Sign adds a signature to meta (which must hold the text's sha256 and
// the other covered fields): the signing time and key, then the signature
// of the payload for object. It checks the signature with the public key
// before returning.
func (s *Signer) Sign(ctx context.Context, object string, text []byte, meta map[string]string) error {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	meta[MetaSignedAt] = now().UTC().Truncate(time.Second).Format(time.RFC3339)
	meta[MetaSignKey] = s.KeyID
	d := digest(s.Verifier.alg, payload(object, meta))
	ctx, cancel := context.WithTimeout(ctx, kmsTimeout)
	defer cancel()
	sig, err := s.api.Sign(ctx, s.KeyID, s.Verifier.alg.kms, d)
	if err != nil {
		return fmt.Errorf("sign with KMS key %q: %w", s.KeyID, err)
	}
	meta[MetaSignature] = signatureV1 + base64.StdEncoding.EncodeToString(sig)
	if _, err := s.Verifier.Verify(object, text, meta); err != nil {
		return fmt.Errorf("KMS key %q made a signature that does not verify: %w", s.KeyID, err)
	}
	return nil
}

// SignatureSize bounds the metadata a signature adds, in bytes (keys and
// values): publish keeps the message short enough for it to fit S3's 2 KB.
func SignatureSize(keyID string) int {
	const sig = 4096 / 8 * 4 / 3 // base64 of the largest RSA signature
	return len(MetaSignedAt) + len("2006-01-02T15:04:05Z") + len(MetaSignKey) + len(keyID) +
		len(MetaSignature) + len(signatureV1) + sig + 4
}
