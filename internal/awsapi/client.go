package awsapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// APIError is a service's answer that is not a success: its HTTP status,
// the error code the service gives (NoSuchKey,
// ProvisionedThroughputExceededException, …) and its message. The retryer
// reads the status and the code.
type APIError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
}

func (e *APIError) Error() string {
	s := e.Code
	if s == "" {
		s = http.StatusText(e.Status)
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	s += fmt.Sprintf(" (HTTP %d", e.Status)
	if e.RequestID != "" {
		s += ", request id " + e.RequestID
	}
	return s + ")"
}

// ErrorCode is the service's error code, for the retryer's throttling and
// retryable code lists.
func (e *APIError) ErrorCode() string { return e.Code }

// HTTPStatusCode is the answer's status, for the retryer's list of
// retryable statuses (500, 502, 503, 504).
func (e *APIError) HTTPStatusCode() int { return e.Status }

// client sends one service's requests: signed, retried.
type client struct {
	cfg     Config
	service string
	http    *http.Client
	signer  *v4.Signer
	retryer *retry.Standard
	// unescapedPath signs the path as it is sent (S3), not escaped again.
	unescapedPath bool
}

func newClient(cfg Config, service string) *client {
	c := &client{cfg: cfg, service: service, http: cfg.HTTP, retryer: retry.NewStandard()}
	if c.http == nil {
		c.http = sharedHTTP()
	}
	c.signer = v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	return c
}

// sharedHTTP is the client every service's requests go through unless
// Config.HTTP says otherwise: one connection pool and one set of idle
// connections per process, however many clients the function builds
// (DynamoDB, S3, KMS).
var sharedHTTP = sync.OnceValue(NewHTTPClient)

// emptyHash is the SHA-256 of an empty payload.
const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func payloadHash(b []byte) string {
	if len(b) == 0 {
		return emptyHash
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// do sends the request newReq builds, signed, and gives the answer to
// handle, which returns an *APIError (or another error) for an answer that
// is not a success. A failure the retryer deems transient (a dropped
// connection, a throttle, a 5xx) is tried again after its backoff, up to
// its attempts, and never past ctx's deadline: a retry that could not end
// in time is not started.
func (c *client) do(ctx context.Context, newReq func(ctx context.Context) (*http.Request, error), hash string, handle func(*http.Response) error) error {
	release := c.retryer.GetInitialToken()
	for attempt := 1; ; attempt++ {
		err := c.attempt(ctx, newReq, hash, handle)
		release(err) //nolint:errcheck // the token bucket's bookkeeping
		if err == nil || attempt >= c.retryer.MaxAttempts() || ctx.Err() != nil || !c.retryer.IsErrorRetryable(err) {
			return err
		}
		delay, derr := c.retryer.RetryDelay(attempt, err)
		if derr != nil {
			return err
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= delay {
			return err
		}
		var terr error
		if release, terr = c.retryer.GetRetryToken(ctx, err); terr != nil {
			return err // too many retries lately: fail rather than add load
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
	}
}

func (c *client) attempt(ctx context.Context, newReq func(ctx context.Context) (*http.Request, error), hash string, handle func(*http.Response) error) error {
	creds, err := c.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return err
	}
	req, err := newReq(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := c.signer.SignHTTP(ctx, creds, req, hash, c.service, c.cfg.Region, time.Now()); err != nil {
		return fmt.Errorf("sign the request: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return handle(resp)
}

var _ aws.CredentialsProvider = (*containerCredentials)(nil)
