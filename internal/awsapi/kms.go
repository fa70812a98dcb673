package awsapi

import (
	"context"
)

// maxKMSResponse bounds one KMS answer: a public key and its metadata.
const maxKMSResponse = 64 << 10

// KMS sends the KMS requests signed mappings need: GetPublicKey (the
// function reads its verification key once at init) and Sign.
type KMS struct {
	c        *client
	endpoint string
}

// NewKMS returns a KMS client for cfg (AWS_ENDPOINT_URL_KMS replaces its
// endpoint).
func NewKMS(cfg Config) *KMS {
	return &KMS{c: newClient(cfg, "kms"), endpoint: cfg.endpoint("kms") + "/"}
}

// call sends the action op; KMS speaks the JSON protocol DynamoDB does,
// version 1.1, with the same error document.
func (k *KMS) call(ctx context.Context, op string, in, out any) error {
	return callJSON(ctx, k.c, k.endpoint, "1.1", "TrentService", op, maxKMSResponse, in, out, nil)
}

// GetPublicKey returns a key's ARN, its KeyUsage and its public key (DER).
func (k *KMS) GetPublicKey(ctx context.Context, keyID string) (arn, usage string, der []byte, err error) {
	var out struct {
		KeyId     string
		KeyUsage  string
		PublicKey []byte // base64 in JSON
	}
	if err := k.call(ctx, "GetPublicKey", map[string]string{"KeyId": keyID}, &out); err != nil {
		return "", "", nil, err
	}
	return out.KeyId, out.KeyUsage, out.PublicKey, nil
}

// Sign signs a digest (MessageType DIGEST) with the key and algorithm.
func (k *KMS) Sign(ctx context.Context, keyID, algorithm string, digest []byte) ([]byte, error) {
	in := struct {
		KeyId            string
		Message          []byte
		MessageType      string
		SigningAlgorithm string
	}{keyID, digest, "DIGEST", algorithm}
	var out struct{ Signature []byte }
	if err := k.call(ctx, "Sign", in, &out); err != nil {
		return nil, err
	}
	return out.Signature, nil
}
