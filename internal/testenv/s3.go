package testenv

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3 is an s3rver server on loopback, storing objects in a temporary
// folder, with a client for setting up buckets and objects.
type S3 struct {
	// Endpoint is the server's URL, for AWS_ENDPOINT_URL_S3.
	Endpoint string
	// Client talks to the server with test credentials, path-style.
	Client *s3.Client
	proc   *process
}

// s3rver accepts only its own key pair; dynalite accepts any, so a function
// reading both uses this one.
const (
	S3AccessKeyID     = "S3RVER"
	S3SecretAccessKey = "S3RVER"
)

var s3rverListening = regexp.MustCompile(`S3rver listening on [^:\s]+:(\d+)`)

// StartS3 starts s3rver on a free loopback port; it stops when the test
// ends. s3rver comes from node_modules next to this file (npm ci here).
func StartS3(t testing.TB) *S3 {
	t.Helper()
	Integration(t)
	node, cli := nodeServer(t, "s3rver", "bin", "s3rver.js")
	// s3rver listens on port 0 and prints the port it got.
	cmd := exec.Command(node, cli, "--directory", t.TempDir(), "--address", "127.0.0.1", "--port", "0", "--silent")
	p, err := startProcess(cmd, "S3rver listening", 20*time.Second)
	if err != nil {
		Unavailable(t, "s3rver did not start: %v", err)
	}
	m := s3rverListening.FindStringSubmatch(p.out.String())
	if m == nil {
		p.stop()
		t.Fatalf("s3rver did not say its port:\n%s", p.out.String())
	}
	s := &S3{Endpoint: "http://127.0.0.1:" + m[1], proc: p}
	s.Client = s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(S3AccessKeyID, S3SecretAccessKey, ""),
	})
	t.Cleanup(s.Stop)
	return s
}

// Env is what points a function's SDK at this server: the endpoint and the
// key pair s3rver accepts. Add it to AWSEnv's map.
func (s *S3) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_S3":   s.Endpoint,
		"AWS_ACCESS_KEY_ID":     S3AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": S3SecretAccessKey,
	}
}

// Stop stops the server; requests after it fail with connection refused.
func (s *S3) Stop() { s.proc.stop() }

// Output is what the server printed.
func (s *S3) Output() string { return s.proc.out.String() }

// CreateBucket creates a bucket.
func (s *S3) CreateBucket(t testing.TB, bucket string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket %q: %v", bucket, err)
	}
}

// Put stores text at bucket/key and returns the object's ETag.
func (s *S3) Put(t testing.TB, bucket, key, text string) string {
	t.Helper()
	return aws.ToString(putObject(t, s.Client, bucket, key, text).ETag)
}

// putObject stores text at bucket/key through client, failing t on an error.
func putObject(t testing.TB, client *s3.Client, bucket, key, text string) *s3.PutObjectOutput {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(text)})
	if err != nil {
		t.Fatalf("put s3://%s/%s: %v", bucket, key, err)
	}
	return out
}

// URI is the s3:// URI of an object.
func (s *S3) URI(bucket, key string) string { return fmt.Sprintf("s3://%s/%s", bucket, key) }
