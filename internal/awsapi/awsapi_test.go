package awsapi

import (
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func env(kv map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	base := func(extra ...string) map[string]string {
		m := map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "tok"}
		for i := 0; i+1 < len(extra); i += 2 {
			if extra[i+1] == "<unset>" {
				delete(m, extra[i])
				continue
			}
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	t.Run("Lambda's settings give the region, the role's credentials and AWS's endpoints", func(t *testing.T) {
		t.Parallel()
		cfg, err := FromEnv(env(base()))
		if err != nil {
			t.Fatal(err)
		}
		creds, err := cfg.Credentials.Retrieve(context.Background())
		if err != nil || creds.AccessKeyID != "AKID" || creds.SecretAccessKey != "secret" || creds.SessionToken != "tok" {
			t.Errorf("credentials %+v, %v", creds, err)
		}
		if got := cfg.endpoint("dynamodb"); got != "https://dynamodb.eu-west-1.amazonaws.com" {
			t.Errorf("endpoint %q", got)
		}
	})
	t.Run("a China region is in its own domain", func(t *testing.T) {
		t.Parallel()
		cfg, err := FromEnv(env(base("AWS_REGION", "cn-north-1")))
		if err != nil || cfg.endpoint("s3") != "https://s3.cn-north-1.amazonaws.com.cn" {
			t.Errorf("endpoint %q, %v", cfg.endpoint("s3"), err)
		}
	})
	t.Run("a service's endpoint wins over the general one", func(t *testing.T) {
		t.Parallel()
		cfg, err := FromEnv(env(base("AWS_ENDPOINT_URL", "http://127.0.0.1:1/", "AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2")))
		if err != nil || cfg.endpoint("dynamodb") != "http://127.0.0.1:1" || cfg.endpoint("s3") != "http://127.0.0.1:2" || !cfg.custom("s3") {
			t.Errorf("endpoints %v, %v", cfg.Endpoints, err)
		}
	})
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no region is refused", base("AWS_REGION", "<unset>"), "set AWS_REGION"},
		{"no credentials are refused", base("AWS_ACCESS_KEY_ID", "<unset>", "AWS_SECRET_ACCESS_KEY", "<unset>"), "no AWS credentials"},
		{"a key without its secret is refused", base("AWS_SECRET_ACCESS_KEY", "<unset>"), "must be set together"},
		{"FIPS endpoints are refused, not ignored", base("AWS_USE_FIPS_ENDPOINT", "true"), "AWS_USE_FIPS_ENDPOINT=true is not supported"},
		{"dual-stack endpoints are refused, not ignored", base("AWS_USE_DUALSTACK_ENDPOINT", "TRUE"), "AWS_USE_DUALSTACK_ENDPOINT=true is not supported"},
		{"an endpoint that is not a URL is refused", base("AWS_ENDPOINT_URL_DYNAMODB", "localhost:8000"), `AWS_ENDPOINT_URL_DYNAMODB: "localhost:8000" is not an http:// or https:// URL`},
		{"a credentials endpoint that is not a URL is refused", base("AWS_ACCESS_KEY_ID", "<unset>", "AWS_SECRET_ACCESS_KEY", "<unset>", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "/creds"), "AWS_CONTAINER_CREDENTIALS_FULL_URI"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := FromEnv(env(tt.env)); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestContainerCredentials(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "the-token" {
			http.Error(w, "no token", http.StatusUnauthorized)
			return
		}
		fmt.Fprint(w, `{"AccessKeyId":"AK","SecretAccessKey":"SK","Token":"T","Expiration":"2099-01-01T00:00:00Z"}`)
	}))
	t.Cleanup(srv.Close)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("the-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, e := range map[string]map[string]string{
		"with the token in a variable": {"AWS_CONTAINER_AUTHORIZATION_TOKEN": "the-token"},
		"with the token in a file":     {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile},
		"without the token":            {},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e["AWS_REGION"], e["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "us-east-1", srv.URL
			cfg, err := FromEnv(env(e))
			if err != nil {
				t.Fatal(err)
			}
			creds, err := cfg.Credentials.Retrieve(context.Background())
			if name == "without the token" {
				if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
					t.Errorf("credentials %+v, error %v; want the endpoint's refusal", creds, err)
				}
				return
			}
			if err != nil || creds.AccessKeyID != "AK" || creds.SessionToken != "T" || !creds.CanExpire {
				t.Errorf("credentials %+v, %v", creds, err)
			}
		})
	}
}

// fakeDynamoDB answers each request with the next of answers (the last
// one again when they run out) and records what it received.
type fakeDynamoDB struct {
	mu       sync.Mutex
	answers  []func(w http.ResponseWriter)
	requests []*http.Request
	bodies   []string
}

func (f *fakeDynamoDB) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.requests = append(f.requests, r)
	f.bodies = append(f.bodies, string(b))
	answer := f.answers[min(len(f.requests), len(f.answers))-1]
	f.mu.Unlock()
	answer(w)
}

func (f *fakeDynamoDB) count() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.requests) }

func reply(status int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("X-Amz-Crc32", fmt.Sprint(crc32.ChecksumIEEE([]byte(body))))
		w.Header().Set("X-Amzn-Requestid", "REQ1")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func newFakeDynamoDB(t *testing.T, answers ...func(w http.ResponseWriter)) (*fakeDynamoDB, *DynamoDB) {
	f := &fakeDynamoDB{answers: answers}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg, err := FromEnv(env(map[string]string{"AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL_DYNAMODB": srv.URL}))
	if err != nil {
		t.Fatal(err)
	}
	return f, NewDynamoDB(cfg)
}

const itemAnswer = `{"Item":{"name":{"S":"Ben"}}}`

func TestDynamoDBCall(t *testing.T) {
	t.Parallel()
	getItem := func(d *DynamoDB) (map[string]any, error) {
		var out map[string]any
		err := d.Call(context.Background(), "GetItem", map[string]string{"TableName": "Users"}, &out)
		return out, err
	}
	t.Run("a request is signed for DynamoDB in the region and names its action", func(t *testing.T) {
		t.Parallel()
		f, d := newFakeDynamoDB(t, reply(200, itemAnswer))
		out, err := getItem(d)
		if err != nil || fmt.Sprint(out) != "map[Item:map[name:map[S:Ben]]]" {
			t.Fatalf("answer %v, %v", out, err)
		}
		r := f.requests[0]
		if auth := r.Header.Get("Authorization"); !strings.Contains(auth, "Credential=AKID/") || !strings.Contains(auth, "/eu-west-1/dynamodb/aws4_request") {
			t.Errorf("Authorization %q", auth)
		}
		if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.GetItem" || r.Header.Get("Content-Type") != "application/x-amz-json-1.0" || f.bodies[0] != `{"TableName":"Users"}` {
			t.Errorf("target %q, type %q, body %s", r.Header.Get("X-Amz-Target"), r.Header.Get("Content-Type"), f.bodies[0])
		}
	})
	t.Run("a server error is tried again", func(t *testing.T) {
		t.Parallel()
		f, d := newFakeDynamoDB(t, reply(500, `{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"oops"}`), reply(200, itemAnswer))
		if _, err := getItem(d); err != nil || f.count() != 2 {
			t.Errorf("error %v after %d requests, want success on the second", err, f.count())
		}
	})
	t.Run("a throttle is tried again", func(t *testing.T) {
		t.Parallel()
		f, d := newFakeDynamoDB(t, reply(400, `{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`), reply(200, itemAnswer))
		if _, err := getItem(d); err != nil || f.count() != 2 {
			t.Errorf("error %v after %d requests, want success on the second", err, f.count())
		}
	})
	t.Run("an answer damaged on the way is tried again", func(t *testing.T) {
		t.Parallel()
		damaged := func(w http.ResponseWriter) {
			w.Header().Set("X-Amz-Crc32", "12345")
			io.WriteString(w, itemAnswer)
		}
		f, d := newFakeDynamoDB(t, damaged, reply(200, itemAnswer))
		if _, err := getItem(d); err != nil || f.count() != 2 {
			t.Errorf("error %v after %d requests, want success on the second", err, f.count())
		}
	})
	t.Run("a failure that lasts gives up after three attempts", func(t *testing.T) {
		t.Parallel()
		f, d := newFakeDynamoDB(t, reply(503, `{"__type":"#ServiceUnavailable","message":"down"}`))
		_, err := getItem(d)
		if err == nil || f.count() != 3 || err.Error() != "ServiceUnavailable: down (HTTP 503, request id REQ1)" {
			t.Errorf("error %v after %d requests", err, f.count())
		}
	})
	t.Run("a request DynamoDB refuses is not tried again, and its error is named", func(t *testing.T) {
		t.Parallel()
		f, d := newFakeDynamoDB(t, reply(400, `{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}`))
		_, err := getItem(d)
		if err == nil || f.count() != 1 || !IsCode(err, "ResourceNotFoundException") ||
			err.Error() != "ResourceNotFoundException: Requested resource not found (HTTP 400, request id REQ1)" {
			t.Errorf("error %v after %d requests", err, f.count())
		}
	})
	t.Run("an error without a document is named by its status", func(t *testing.T) {
		t.Parallel()
		_, d := newFakeDynamoDB(t, reply(403, "<html>denied</html>"))
		if _, err := getItem(d); err == nil || !strings.Contains(err.Error(), "<html>denied</html> (HTTP 403") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("an answer too large is refused, not read into memory", func(t *testing.T) {
		t.Parallel()
		huge := func(w http.ResponseWriter) {
			w.Write([]byte(`{"Item":{"x":{"S":"`))
			chunk := []byte(strings.Repeat("a", 1<<20))
			for range maxDynamoDBResponse>>20 + 1 {
				w.Write(chunk)
			}
		}
		_, d := newFakeDynamoDB(t, huge)
		if _, err := getItem(d); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Errorf("error %v", err)
		}
	})
	t.Run("a cancelled context is not retried", func(t *testing.T) {
		t.Parallel()
		f, d := newFakeDynamoDB(t, reply(500, `{}`))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := d.Call(ctx, "GetItem", map[string]string{}, new(map[string]any))
		if !errors.Is(err, context.Canceled) || f.count() > 1 {
			t.Errorf("error %v after %d requests", err, f.count())
		}
	})
	t.Run("an answer that is not JSON is an error", func(t *testing.T) {
		t.Parallel()
		_, d := newFakeDynamoDB(t, reply(200, `{"Item":`))
		if _, err := getItem(d); err == nil || !strings.Contains(err.Error(), "decode the GetItem answer") {
			t.Errorf("error %v", err)
		}
	})
}

func TestS3ObjectURL(t *testing.T) {
	t.Parallel()
	aws := NewS3(Config{Region: "eu-west-1", Credentials: nil})
	local := NewS3(Config{Region: "eu-west-1", Endpoints: map[string]string{"s3": "http://127.0.0.1:9000/base"}})
	for _, tt := range []struct {
		name   string
		s3     *S3
		in     GetObjectInput
		want   string
		wantOK bool
	}{
		{"a bucket is the host's first label", aws, GetObjectInput{Bucket: "maps", Key: "m.yaml"}, "https://maps.s3.eu-west-1.amazonaws.com/m.yaml", true},
		{"a key is escaped once, its slashes kept", aws, GetObjectInput{Bucket: "maps", Key: "dir/a b+c ü.yaml"}, "https://maps.s3.eu-west-1.amazonaws.com/dir/a%20b%2Bc%20%C3%BC.yaml", true},
		{"a version is asked for", aws, GetObjectInput{Bucket: "maps", Key: "m", VersionID: "a+b/c"}, "https://maps.s3.eu-west-1.amazonaws.com/m?versionId=a%2Bb%2Fc", true},
		{"a bucket with dots goes in the path, under S3's certificate", aws, GetObjectInput{Bucket: "my.maps", Key: "m"}, "https://s3.eu-west-1.amazonaws.com/my.maps/m", true},
		{"a configured endpoint takes the bucket in the path", local, GetObjectInput{Bucket: "maps", Key: "a b"}, "http://127.0.0.1:9000/base/maps/a%20b", true},
		{"no key is refused", aws, GetObjectInput{Bucket: "maps"}, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, err := tt.s3.objectURL(tt.in)
			if !tt.wantOK {
				if err == nil {
					t.Errorf("url %v, want an error", u)
				}
				return
			}
			if err != nil || u.String() != tt.want {
				t.Errorf("url %v, %v; want %s", u, err, tt.want)
			}
		})
	}
}

func TestS3GetObject(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/maps/missing":
			w.Header().Set("X-Amz-Request-Id", "R2")
			w.WriteHeader(404)
			io.WriteString(w, `<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`)
		case r.Header.Get("If-None-Match") == `"e1"`:
			w.WriteHeader(304)
		default:
			if r.Header.Get("X-Amz-Content-Sha256") != emptyHash || !strings.Contains(r.Header.Get("Authorization"), "/us-east-1/s3/aws4_request") {
				http.Error(w, "unsigned", 403)
				return
			}
			w.Header().Set("ETag", `"e1"`)
			w.Header().Set("X-Amz-Version-Id", "v1")
			w.Header().Set("X-Amz-Meta-Claimsmapper-Sha256", "abc")
			io.WriteString(w, "0123456789")
		}
	}))
	t.Cleanup(srv.Close)
	cfg, err := FromEnv(env(map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s", "AWS_ENDPOINT_URL_S3": srv.URL}))
	if err != nil {
		t.Fatal(err)
	}
	s3 := NewS3(cfg)
	ctx := context.Background()
	obj, err := s3.GetObject(ctx, GetObjectInput{Bucket: "maps", Key: "m.yaml", Limit: 100})
	if err != nil || string(obj.Body) != "0123456789" || obj.ETag != `"e1"` || obj.VersionID != "v1" || obj.Metadata["claimsmapper-sha256"] != "abc" {
		t.Errorf("object %+v, %v", obj, err)
	}
	if obj, err := s3.GetObject(ctx, GetObjectInput{Bucket: "maps", Key: "m.yaml", Limit: 4}); err != nil || string(obj.Body) != "01234" {
		t.Errorf("limited to 4: %q, %v; want 5 bytes, one past the limit", obj.Body, err)
	}
	if _, err := s3.GetObject(ctx, GetObjectInput{Bucket: "maps", Key: "m.yaml", IfNoneMatch: `"e1"`, Limit: 100}); !errors.Is(err, ErrNotModified) {
		t.Errorf("unchanged: %v, want ErrNotModified", err)
	}
	_, err = s3.GetObject(ctx, GetObjectInput{Bucket: "maps", Key: "missing", Limit: 100})
	if !IsCode(err, "NoSuchKey") || err.Error() != "NoSuchKey: The specified key does not exist. (HTTP 404, request id R2)" {
		t.Errorf("missing: %v", err)
	}
}

func TestErrorCodesReachTheRetryer(t *testing.T) {
	t.Parallel()
	c := newClient(Config{Region: "x"}, "dynamodb")
	for _, tt := range []struct {
		err   error
		retry bool
	}{
		{&APIError{Status: 400, Code: "ThrottlingException"}, true},
		{&APIError{Status: 400, Code: "RequestLimitExceeded"}, true},
		{&APIError{Status: 502}, true},
		{&APIError{Status: 400, Code: "ValidationException"}, false},
		{&APIError{Status: 403, Code: "AccessDeniedException"}, false},
		{errCRC32{}, true},
	} {
		if got := c.retryer.IsErrorRetryable(tt.err); got != tt.retry {
			t.Errorf("%v retryable = %v, want %v", tt.err, got, tt.retry)
		}
	}
}
