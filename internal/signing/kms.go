package signing

import (
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KMSAPI is the part of the KMS client this package uses; *kms.Client
// implements it.
type KMSAPI interface {
	Sign(ctx context.Context, in *kms.SignInput, optFns ...func(*kms.Options)) (*kms.SignOutput, error)
	GetPublicKey(ctx context.Context, in *kms.GetPublicKeyInput, optFns ...func(*kms.Options)) (*kms.GetPublicKeyOutput, error)
}

// NewKMSClient builds a KMS client from the standard AWS configuration
// (AWS_ENDPOINT_URL_KMS points it at a local server).
func NewKMSClient(ctx context.Context) (*kms.Client, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region is configured: set AWS_REGION")
	}
	return kms.NewFromConfig(cfg), nil
}

// kmsTimeout bounds one KMS call.
const kmsTimeout = 5 * time.Second

// FetchPublicKey asks KMS for a signing key's public key and returns its
// verifier and the key's ARN.
func FetchPublicKey(ctx context.Context, api KMSAPI, keyID string) (*Verifier, string, error) {
	ctx, cancel := context.WithTimeout(ctx, kmsTimeout)
	defer cancel()
	out, err := api.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		return nil, "", fmt.Errorf("read the public key of KMS key %q: %w", keyID, err)
	}
	if out.KeyUsage != types.KeyUsageTypeSignVerify {
		return nil, "", fmt.Errorf("KMS key %q is for %s, not SIGN_VERIFY: create an asymmetric signing key (ECC_NIST_P256)", keyID, out.KeyUsage)
	}
	v, err := PublicKeyFromDER(out.PublicKey)
	if err != nil {
		return nil, "", fmt.Errorf("KMS key %q: %w", keyID, err)
	}
	return v, aws.ToString(out.KeyId), nil
}

// Signer signs with a KMS key.
type Signer struct {
	api KMSAPI
	// KeyID is the key's ARN, as KMS names it.
	KeyID    string
	Verifier *Verifier
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewSigner reads the key's public key (to learn its ARN and algorithm, and
// to check each signature before it is used).
func NewSigner(ctx context.Context, api KMSAPI, keyID string) (*Signer, error) {
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
	out, err := s.api.Sign(ctx, &kms.SignInput{
		KeyId:            aws.String(s.KeyID),
		Message:          d,
		MessageType:      types.MessageTypeDigest,
		SigningAlgorithm: types.SigningAlgorithmSpec(s.Verifier.alg.kms),
	})
	if err != nil {
		return fmt.Errorf("sign with KMS key %q: %w", s.KeyID, err)
	}
	meta[MetaSignature] = signatureV1 + base64.StdEncoding.EncodeToString(out.Signature)
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

func hashOf(alg algorithm) crypto.Hash {
	if alg.hash384 {
		return crypto.SHA384
	}
	return crypto.SHA256
}
