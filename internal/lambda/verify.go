package lambda

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/signing"
)

// EnvVerifyKey turns signature checking on: the public key the mapping's
// signature must verify with, as PEM or base64 DER, or the ARN (or
// alias/NAME) of the KMS key whose public key the function reads once at
// init (it then needs kms:GetPublicKey on that key, and nothing else of
// KMS). Set, every S3 object is refused unless `claimsmapper publish
// --sign-key` signed it with that key.
const EnvVerifyKey = "CLAIMS_MAPPING_VERIFY_KEY"

// verifierFromEnv returns the check of an object's signature that
// EnvVerifyKey asks for, or nil when it is unset. newKMS builds the KMS
// client for a key named by ARN.
func verifierFromEnv(ctx context.Context, lookupEnv func(string) (string, bool), loc mappingfile.Location, log *slog.Logger,
	newKMS func() (signing.PublicKeys, error)) (func(mappingfile.Object) (signing.Signature, error), error) {
	setting, ok := lookupEnv(EnvVerifyKey)
	setting = strings.TrimSpace(setting)
	if !ok || setting == "" {
		return nil, nil
	}
	if loc.Kind != mappingfile.S3 {
		return nil, fmt.Errorf("%s is set, but the mapping is not read from S3 (%s): signatures are for published S3 mappings; a mapping in the environment or the function's files ships with the function itself", EnvVerifyKey, loc)
	}
	var v *signing.Verifier
	var keyID string
	if strings.HasPrefix(setting, "arn:") || strings.HasPrefix(setting, "alias/") {
		client, err := newKMS()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvVerifyKey, err)
		}
		if v, keyID, err = signing.FetchPublicKey(ctx, client, setting); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvVerifyKey, err)
		}
	} else {
		var err error
		if v, err = signing.ParsePublicKey(setting); err != nil {
			return nil, fmt.Errorf("%s: %w", EnvVerifyKey, err)
		}
	}
	log.Info("mapping signatures required", slog.String("key", keyID), slog.String("fingerprint", v.Fingerprint))
	object := signing.ObjectName(loc.Bucket, loc.Key)
	return func(obj mappingfile.Object) (signing.Signature, error) {
		return v.Verify(object, obj.Text, obj.Metadata)
	}, nil
}
