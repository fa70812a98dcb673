package lambda

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/signing"
)

type fakeKeys struct {
	usage string
	der   []byte
	err   error
}

func (f fakeKeys) GetPublicKey(context.Context, string) (string, string, []byte, error) {
	return "arn:aws:kms:eu-west-1:111111111111:key/k", f.usage, f.der, f.err
}

// TestVerifyKeySetting: CLAIMS_MAPPING_VERIFY_KEY is read as the operator
// meant it, or the init fails saying what is wrong; never ignored.
func TestVerifyKeySetting(t *testing.T) {
	t.Parallel()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	s3loc, err := mappingfile.ParseURI("s3://maps/m.yaml", "")
	if err != nil {
		t.Fatal(err)
	}
	fileLoc, _ := mappingfile.ParseURI("mapping.yaml", "")
	for _, tt := range []struct {
		name    string
		setting string
		loc     mappingfile.Location
		keys    fakeKeys
		want    string // "" when the setting is taken; "off" when none is required
	}{
		{"unset, nothing is required", "", s3loc, fakeKeys{}, "off"},
		{"a PEM key is taken", pemKey, s3loc, fakeKeys{}, ""},
		{"a key ARN is read from KMS", "arn:aws:kms:eu-west-1:111111111111:key/k", s3loc, fakeKeys{usage: "SIGN_VERIFY", der: der}, ""},
		{"a mapping not in S3 is refused", pemKey, fileLoc, fakeKeys{}, "not read from S3"},
		{"text that is no key is refused", "not a key", s3loc, fakeKeys{}, "not a public key"},
		{"a key KMS cannot give is refused", "arn:aws:kms:eu-west-1:111111111111:key/k", s3loc, fakeKeys{err: errors.New("AccessDeniedException")}, "AccessDeniedException"},
		{"an encryption key is refused", "arn:aws:kms:eu-west-1:111111111111:key/k", s3loc, fakeKeys{usage: "ENCRYPT_DECRYPT", der: der}, "not SIGN_VERIFY"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := func(k string) (string, bool) { return tt.setting, k == EnvVerifyKey && tt.setting != "" }
			var logs bytes.Buffer
			verify, err := verifierFromEnv(context.Background(), env, tt.loc, NewLogger(&logs, slog.LevelInfo),
				func() (signing.PublicKeys, error) { return tt.keys, nil })
			switch tt.want {
			case "off":
				if verify != nil || err != nil {
					t.Errorf("verify %v, err %v: want neither", verify != nil, err)
				}
			case "":
				if verify == nil || err != nil || !strings.Contains(logs.String(), "mapping signatures required") {
					t.Errorf("err %v; logs %s", err, logs.String())
				}
				if _, err := verify(object("version: 1\nclaims: {}\n", `"e"`)); !errors.Is(err, signing.ErrUnsigned) {
					t.Errorf("an unsigned object: %v, want ErrUnsigned", err)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), EnvVerifyKey) {
					t.Errorf("err %v, want one naming %s and saying %q", err, EnvVerifyKey, tt.want)
				}
			}
		})
	}
}

// TestAnUnverifiedFirstMappingFailsClosed: the init fails, saying why, and
// nothing is compiled.
func TestAnUnverifiedFirstMappingFailsClosed(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	// compile is nil: calling it would panic, so the test also proves the
	// text is not compiled.
	_, err := newMappings(context.Background(), object(mappingWith(1), `"e1"`), &pending{}, nil, 0, NewLogger(&logs, slog.LevelInfo),
		func(mappingfile.Object) (signing.Signature, error) { return signing.Signature{}, signing.ErrUnsigned })
	var se *SignatureError
	if !errors.As(err, &se) || !errors.Is(err, signing.ErrUnsigned) {
		t.Fatalf("err %v, want a SignatureError wrapping ErrUnsigned", err)
	}
	if !strings.Contains(logs.String(), `"msg":"mapping signature rejected, not serving"`) || !strings.Contains(logs.String(), "not signed") {
		t.Errorf("logs do not say why:\n%s", logs.String())
	}
}
