package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/awsconfig"
	"github.com/claimsmapper/claimsmapper/internal/signing"
)

// newSigner builds the signer --sign-key names; nil when it names none.
func newSigner(ctx context.Context, keyID string) (*signing.Signer, error) {
	if keyID == "" {
		return nil, nil
	}
	client, err := awsconfig.NewKMS(ctx)
	if err != nil {
		return nil, fmt.Errorf("--sign-key: %w", err)
	}
	s, err := signing.NewSigner(ctx, client, keyID)
	if err != nil {
		return nil, fmt.Errorf("--sign-key: %w", err)
	}
	return s, nil
}

// publicKeys fetches each named key's public key from KMS once.
func publicKeys(ctx context.Context) func(keyID string) (*signing.Verifier, error) {
	var client signing.PublicKeys
	var clientErr error
	cache := map[string]*signing.Verifier{}
	errs := map[string]error{}
	return func(keyID string) (*signing.Verifier, error) {
		if v, ok := cache[keyID]; ok {
			return v, errs[keyID]
		}
		if client == nil && clientErr == nil {
			client, clientErr = awsconfig.NewKMS(ctx)
		}
		if clientErr != nil {
			return nil, clientErr
		}
		v, _, err := signing.FetchPublicKey(ctx, client, keyID)
		cache[keyID], errs[keyID] = v, err
		return v, err
	}
}

// shortKey names a KMS key by what follows "key/" in its ARN.
func shortKey(arn string) string {
	if i := strings.LastIndex(arn, ":key/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
