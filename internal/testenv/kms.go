package testenv

import (
	"context"
	"encoding/pem"
	"fmt"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"

	"github.com/claimsmapper/claimsmapper/internal/awsapi"
)

// KMSVersion is the local-kms make test installs (the Makefile reads it here).
const KMSVersion = "v0.0.0-20260228092603-2a5e92d09ab6"

// KMS is local-kms (a KMS API server, asymmetric signing keys included) on
// a loopback port, with a client for setting up keys.
type KMS struct {
	// Endpoint is the server's URL, for AWS_ENDPOINT_URL_KMS.
	Endpoint string
	// Client talks to the server with test credentials, through the SDK:
	// the tests set up keys with it.
	Client *kms.Client
	// API is the client claimsmapper signs and reads public keys with.
	API  *awsapi.KMS
	proc *process
}

var kmsStarted = regexp.MustCompile(`Local KMS started on [0-9.]+:([0-9]+)`)

// StartKMS starts local-kms on a free port, its keys in a temporary
// folder; it stops when the test ends. local-kms listens on every
// interface of the machine (it takes a port, not an address); tests reach
// it on 127.0.0.1 only.
func StartKMS(t testing.TB) *KMS {
	t.Helper()
	Integration(t)
	bin, err := goBinary("local-kms")
	if err != nil {
		Unavailable(t, "local-kms is not installed (make test installs it into bin/tools; or go install github.com/nsmithuk/local-kms@%s)", KMSVersion)
	}
	dir := t.TempDir()
	cmd := exec.Command(bin)
	cmd.Env = []string{
		"PORT=0", "KMS_REGION=us-east-1", "KMS_ACCOUNT_ID=111111111111",
		"KMS_DATA_PATH=" + filepath.Join(dir, "data"), "KMS_SEED_PATH=" + filepath.Join(dir, "no-seed.yaml"),
	}
	p, err := startProcess(cmd, "Local KMS started on", 20*time.Second)
	if err != nil {
		Unavailable(t, "local-kms did not start: %v", err)
	}
	t.Cleanup(p.stop)
	m := kmsStarted.FindStringSubmatch(p.out.String())
	if m == nil {
		t.Fatalf("local-kms did not say its port:\n%s", p.out.String())
	}
	k := &KMS{Endpoint: "http://127.0.0.1:" + m[1], proc: p}
	k.Client = kms.New(kms.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(k.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	k.API = awsapi.NewKMS(awsapi.Config{Region: "us-east-1", Endpoints: map[string]string{"kms": k.Endpoint},
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	return k
}

// Env points the AWS SDK's KMS client at the server.
func (k *KMS) Env() map[string]string {
	return map[string]string{"AWS_ENDPOINT_URL_KMS": k.Endpoint}
}

// CreateSigningKey creates an asymmetric signing key of the spec
// (ECC_NIST_P256, RSA_2048, …) and returns its ARN.
func (k *KMS) CreateSigningKey(t testing.TB, spec types.KeySpec) string {
	t.Helper()
	// A bound on a hang, not on speed: local-kms searches for an RSA 4096
	// key's primes, which took over 10 s on a loaded two-core machine.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := k.Client.CreateKey(ctx, &kms.CreateKeyInput{KeySpec: spec, KeyUsage: types.KeyUsageTypeSignVerify})
	if err != nil {
		t.Fatalf("create a %s key: %v", spec, err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// PublicKeyPEM is the key's public key as PEM.
func (k *KMS) PublicKeyPEM(t testing.TB, keyID string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := k.Client.GetPublicKey(ctx, &kms.GetPublicKeyInput{KeyId: aws.String(keyID)})
	if err != nil {
		t.Fatalf("public key of %s: %v", keyID, err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: out.PublicKey}))
}

// goBinary finds a program on PATH, where make test installs it
// (bin/tools), or where `go install` puts it.
func goBinary(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs := []string{os.Getenv("GOBIN")}
	if root, err := RepoRoot(); err == nil {
		dirs = append(dirs, filepath.Join(root, "bin", "tools"))
	}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		dirs = append(dirs, filepath.Join(gp, "bin"))
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}
