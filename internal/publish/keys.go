package publish

import (
	"context"
	"fmt"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/awsconfig"
	"github.com/claimsmapper/claimsmapper/internal/signing"
)

// NewSigner builds the signer for the KMS key --sign-key names; nil when
// keyID is empty.
func NewSigner(ctx context.Context, keyID string) (*signing.Signer, error) {
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

// PublicKeys returns the verifier of each key checkSignature asks for,
// fetched from KMS once per key (a history lists many versions signed with
// one key), its error kept as well.
func PublicKeys(ctx context.Context) func(keyID string) (*signing.Verifier, error) {
	return publicKeys(ctx, func() (signing.PublicKeys, error) {
		client, err := awsconfig.NewKMS(ctx)
		if err != nil {
			return nil, err
		}
		return client, nil
	})
}

// publicKeys is PublicKeys with the client's constructor given, for tests;
// the client is built on first use, so a history with no signed version
// asks KMS nothing.
func publicKeys(ctx context.Context, newClient func() (signing.PublicKeys, error)) func(keyID string) (*signing.Verifier, error) {
	var client signing.PublicKeys
	var clientErr error
	cache := map[string]*signing.Verifier{}
	errs := map[string]error{}
	return func(keyID string) (*signing.Verifier, error) {
		if v, ok := cache[keyID]; ok {
			return v, errs[keyID]
		}
		if client == nil && clientErr == nil {
			client, clientErr = newClient()
		}
		if clientErr != nil {
			return nil, clientErr
		}
		v, _, err := signing.FetchPublicKey(ctx, client, keyID)
		cache[keyID], errs[keyID] = v, err
		return v, err
	}
}

// ShortKey names a KMS key by what follows "key/" in its ARN.
func ShortKey(arn string) string {
	if i := strings.LastIndex(arn, ":key/"); i >= 0 {
		return arn[i+1:]
	}
	return arn
}
