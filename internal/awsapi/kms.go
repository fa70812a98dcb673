package awsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
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

// call sends the action op with in as its JSON body and decodes the answer
// into out. KMS speaks the JSON protocol DynamoDB does, version 1.1.
func (k *KMS) call(ctx context.Context, op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("encode the %s request: %w", op, err)
	}
	newReq := func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.endpoint, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "TrentService."+op)
		return req, nil
	}
	return k.c.do(ctx, newReq, payloadHash(body), func(resp *http.Response) error {
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxKMSResponse+1))
		if err != nil {
			return err
		}
		if len(b) > maxKMSResponse {
			return fmt.Errorf("the %s answer is larger than %d bytes", op, maxKMSResponse)
		}
		if resp.StatusCode != http.StatusOK {
			return dynamoDBError(resp, b) // the same error document
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decode the %s answer: %w", op, err)
		}
		return nil
	})
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
