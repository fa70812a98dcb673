package lambda

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/awsapi"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// BenchmarkInit times each step of the function's init with the seed
// mapping inline, as Serve takes them: the AWS configuration from the
// environment, the DynamoDB store, the metrics, the mapping's text, its
// parse and compile, and NewHandler doing all but the first two. In a warm
// process: a cold start adds loading the binary and the package
// initialisers (BenchmarkPackageInit in integration/), which the emulator's
// INIT REPORT includes.
func BenchmarkInit(b *testing.B) {
	src, err := os.ReadFile("../../testdata/seed/mapping.yaml")
	if err != nil {
		b.Fatal(err)
	}
	env := map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
		"AWS_LAMBDA_FUNCTION_NAME": "claims", "AWS_LAMBDA_FUNCTION_VERSION": "1",
		"CLAIMS_MAPPING": string(src), "CLAIMS_MAPPING_ENV": "TABLE_NAME", "TABLE_NAME": "SampleUsers",
	}
	lookupEnv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	log := slog.New(slog.DiscardHandler)
	ctx := context.Background()
	cfg, err := awsapi.FromEnv(lookupEnv)
	if err != nil {
		b.Fatal(err)
	}
	store := dynamo.Open(cfg, log)

	b.Run("aws-config", func(b *testing.B) {
		for b.Loop() {
			if _, err := awsapi.FromEnv(lookupEnv); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("dynamodb-store", func(b *testing.B) {
		for b.Loop() {
			dynamo.Open(cfg, log)
		}
	})
	b.Run("metrics", func(b *testing.B) {
		for b.Loop() {
			if _, err := MetricsFromEnv(lookupEnv, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mapping-text", func(b *testing.B) {
		for b.Loop() {
			loc, err := mappingfile.FromEnv(lookupEnv)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := mappingfile.Open(ctx, loc, mappingfile.Options{Log: log}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("mapping-compile", func(b *testing.B) {
		opts := mapper.LoadOptions{File: "CLAIMS_MAPPING", Env: config.Env{Lookup: lookupEnv, Allow: []string{"TABLE_NAME"}}, Store: store, Logger: log}
		for b.Loop() {
			if _, fs := loaded(mapper.Load(src, opts)); config.Errors(fs) != nil {
				b.Fatal(config.Errors(fs))
			}
		}
	})
	b.Run("handler", func(b *testing.B) {
		for b.Loop() {
			if _, err := NewHandler(ctx, lookupEnv, store, log, io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
}
