package testenv

import (
	"context"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// VersionedS3 is an S3 API server with bucket versioning and conditional
// writes (If-Match, If-None-Match), in this process on a loopback port:
// gofakes3 over its in-memory backend. s3rver has no versioning, which
// publish, history and rollback need.
type VersionedS3 struct {
	// Endpoint is the server's URL, for AWS_ENDPOINT_URL_S3.
	Endpoint string
	// Client talks to the server, path-style, bypassing the interceptor.
	Client *s3.Client
	srv    *httptest.Server

	mu          sync.Mutex
	intercept   func(w http.ResponseWriter, r *http.Request) bool
	conditional bool
}

// StartVersionedS3 starts the server; it stops when the test ends.
func StartVersionedS3(t testing.TB) *VersionedS3 {
	t.Helper()
	fake := gofakes3.New(replacingMetadata{s3mem.New()}, gofakes3.WithTimeSkewLimit(0))
	s := &VersionedS3{conditional: true}
	inner := fake.Server()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		Unavailable(t, "cannot listen on loopback: %v", err)
	}
	s.srv = &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Testenv-Direct") == "" {
			s.mu.Lock()
			f, conditional := s.intercept, s.conditional
			s.mu.Unlock()
			if !conditional && r.Method == http.MethodPut && (r.Header.Get("If-Match") != "" || r.Header.Get("If-None-Match") != "") {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(http.StatusNotImplemented)
				w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code><Message>A header you provided implies functionality that is not implemented</Message></Error>`))
				return
			}
			if f != nil && f(w, r) {
				return
			}
		}
		inner.ServeHTTP(w, r)
	})}}
	s.srv.Start()
	s.Endpoint = s.srv.URL
	s.Client = s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		// Requests from the test itself skip the interceptor.
		HTTPClient: directClient{},
	})
	t.Cleanup(s.srv.Close)
	return s
}

// directClient marks the test's own requests so the interceptor lets them by.
type directClient struct{}

func (directClient) Do(r *http.Request) (*http.Response, error) {
	r.Header.Set("X-Testenv-Direct", "1")
	return http.DefaultClient.Do(r)
}

// Intercept runs f before the server sees each request from a client other
// than Client; when f returns true it has answered the request itself. nil
// removes it.
func (s *VersionedS3) Intercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intercept = f
}

// WithoutConditionalWrites makes the server refuse PUTs with If-Match or
// If-None-Match as 501 NotImplemented, as servers without conditional
// writes do.
func (s *VersionedS3) WithoutConditionalWrites() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conditional = false
}

// Env points a process's SDK at this server.
func (s *VersionedS3) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_S3":   s.Endpoint,
		"AWS_ACCESS_KEY_ID":     "test",
		"AWS_SECRET_ACCESS_KEY": "test",
	}
}

// CreateBucket creates a bucket with versioning enabled, or suspended when
// versioned is false.
func (s *VersionedS3) CreateBucket(t testing.TB, bucket string, versioned bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("create bucket %q: %v", bucket, err)
	}
	if !versioned {
		return
	}
	if _, err := s.Client.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket:                  aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatalf("enable versioning on %q: %v", bucket, err)
	}
}

// Put stores text at bucket/key, as someone else publishing would, and
// returns the new version's id.
func (s *VersionedS3) Put(t testing.TB, bucket, key, text string) string {
	t.Helper()
	return aws.ToString(putObject(t, s.Client, bucket, key, text).VersionId)
}

// replacingMetadata makes gofakes3 replace an object's metadata on each
// write, as S3 does: its in-memory backend carries the previous version's
// metadata (checksums and x-amz-meta-… alike) over to a new version that
// does not set them, so an unsigned upload over a signed mapping would
// wear the old signature. Each key the new version does not set is written
// as a marker that the reads drop.
type replacingMetadata struct{ *s3mem.Backend }

const droppedMetadata = "\x00dropped"

func (b replacingMetadata) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, cond *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	if old, err := b.Backend.HeadObject(bucket, key); err == nil && old != nil {
		old.Contents.Close()
		for k := range old.Metadata {
			if _, ok := meta[k]; !ok {
				meta[k] = droppedMetadata
			}
		}
	}
	return b.Backend.PutObject(bucket, key, meta, input, size, cond)
}

func dropMarked(o *gofakes3.Object, err error) (*gofakes3.Object, error) {
	if o != nil {
		maps.DeleteFunc(o.Metadata, func(_, v string) bool { return v == droppedMetadata })
	}
	return o, err
}

func (b replacingMetadata) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return dropMarked(b.Backend.GetObject(bucket, key, rng))
}

func (b replacingMetadata) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	return dropMarked(b.Backend.HeadObject(bucket, key))
}

func (b replacingMetadata) GetObjectVersion(bucket, key string, v gofakes3.VersionID, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	return dropMarked(b.Backend.GetObjectVersion(bucket, key, v, rng))
}

func (b replacingMetadata) HeadObjectVersion(bucket, key string, v gofakes3.VersionID) (*gofakes3.Object, error) {
	return dropMarked(b.Backend.HeadObjectVersion(bucket, key, v))
}
