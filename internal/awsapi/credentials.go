package awsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// credentialsFromEnv is the execution role's credentials as Lambda hands
// them over: in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, or, where Lambda serves them over HTTP instead, at
// AWS_CONTAINER_CREDENTIALS_FULL_URI with the token in
// AWS_CONTAINER_AUTHORIZATION_TOKEN or the file
// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names.
func credentialsFromEnv(get func(string) string) (aws.CredentialsProvider, error) {
	if id, secret := get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY"); id != "" || secret != "" {
		if id == "" || secret == "" {
			return nil, errors.New("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together")
		}
		creds := aws.Credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: get("AWS_SESSION_TOKEN"), Source: "environment"}
		return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return creds, nil }), nil
	}
	if u := get("AWS_CONTAINER_CREDENTIALS_FULL_URI"); u != "" {
		if err := checkEndpoint(u); err != nil {
			return nil, fmt.Errorf("AWS_CONTAINER_CREDENTIALS_FULL_URI: %w", err)
		}
		p := &containerCredentials{url: u, token: get("AWS_CONTAINER_AUTHORIZATION_TOKEN"), tokenFile: get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), http: &http.Client{Timeout: 2 * time.Second}}
		return aws.NewCredentialsCache(p), nil
	}
	return nil, errors.New("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_CONTAINER_CREDENTIALS_FULL_URI (Lambda sets them for the execution role)")
}

// containerCredentials reads credentials from the container credentials
// endpoint, as the SDKs do.
type containerCredentials struct {
	url, token, tokenFile string
	http                  *http.Client
}

func (p *containerCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	fail := func(err error) (aws.Credentials, error) {
		return aws.Credentials{}, fmt.Errorf("container credentials: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.url, nil)
	if err != nil {
		return fail(err)
	}
	token := p.token
	if p.tokenFile != "" {
		b, err := os.ReadFile(p.tokenFile)
		if err != nil {
			return fail(err)
		}
		token = strings.TrimSpace(string(b))
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fail(err)
	}
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("HTTP %d: %s", resp.StatusCode, firstLine(body)))
	}
	var c struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		Token           string
		Expiration      *time.Time
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return fail(fmt.Errorf("not a credentials document: %w", err))
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return fail(errors.New("the answer holds no access key"))
	}
	creds := aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.Token, Source: "container"}
	if c.Expiration != nil {
		creds.CanExpire, creds.Expires = true, *c.Expiration
	}
	return creds, nil
}

func firstLine(b []byte) string {
	s := strings.TrimSpace(string(b))
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
