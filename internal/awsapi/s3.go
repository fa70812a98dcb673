package awsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/smithy-go/encoding/httpbinding"
)

// ErrNotModified is GetObject's answer when the object still has the ETag
// given as IfNoneMatch.
var ErrNotModified = errors.New("not modified")

// S3 reads objects from Amazon S3. Safe for concurrent use.
type S3 struct {
	c *client
	// pathStyle puts the bucket in the path (endpoint/bucket/key), as local
	// servers need, rather than in the host name.
	pathStyle bool
	endpoint  string
	region    string
}

// NewS3 returns an S3 client for cfg. With an endpoint configured
// (AWS_ENDPOINT_URL_S3) it addresses buckets in the path, as local servers
// need; otherwise in the host name, as S3 asks.
func NewS3(cfg Config) *S3 {
	return &S3{c: newClient(cfg, "s3"), pathStyle: cfg.custom("s3"), endpoint: cfg.endpoint("s3"), region: cfg.Region}
}

// GetObjectInput names the object to read.
type GetObjectInput struct {
	Bucket, Key string
	// VersionID reads that version rather than the current one.
	VersionID string
	// IfNoneMatch, an ETag, makes S3 answer ErrNotModified when the object
	// still has it.
	IfNoneMatch string
	// Limit is the most bytes of the object read: the answer holds Limit+1
	// bytes when the object is larger, so the caller can tell.
	Limit int64
}

// Object is what GetObject read.
type Object struct {
	Body            []byte
	ETag, VersionID string
	// Metadata is the object's user metadata (x-amz-meta-NAME headers),
	// keyed by NAME in lower case, as the SDK gives it.
	Metadata map[string]string
}

// GetObject reads an object, at most in.Limit+1 bytes of it.
func (s *S3) GetObject(ctx context.Context, in GetObjectInput) (Object, error) {
	u, err := s.objectURL(in)
	if err != nil {
		return Object{}, err
	}
	newReq := func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		req.URL = u // keep the escaping the signature covers
		if in.IfNoneMatch != "" {
			req.Header.Set("If-None-Match", in.IfNoneMatch)
		}
		return req, nil
	}
	var obj Object
	err = s.c.do(ctx, newReq, emptyHash, func(resp *http.Response) error {
		switch resp.StatusCode {
		case http.StatusOK:
		case http.StatusNotModified:
			return ErrNotModified
		default:
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			return s3Error(resp, b)
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, in.Limit+1))
		if err != nil {
			return err
		}
		obj = Object{Body: b, ETag: resp.Header.Get("ETag"), VersionID: resp.Header.Get("X-Amz-Version-Id")}
		for k, v := range resp.Header {
			if name, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-meta-"); ok && len(v) > 0 {
				if obj.Metadata == nil {
					obj.Metadata = map[string]string{}
				}
				obj.Metadata[name] = v[0]
			}
		}
		return nil
	})
	return obj, err
}

// objectURL addresses the object: in the host name (bucket.s3.region…)
// when the bucket's name allows it, in the path otherwise.
func (s *S3) objectURL(in GetObjectInput) (*url.URL, error) {
	if in.Bucket == "" || in.Key == "" {
		return nil, errors.New("an S3 object needs a bucket and a key")
	}
	base, err := url.Parse(s.endpoint)
	if err != nil {
		return nil, err
	}
	key := httpbinding.EscapePath(in.Key, false)
	if s.pathStyle || !virtualHostable(in.Bucket) {
		prefix := strings.TrimSuffix(base.EscapedPath(), "/")
		base.Path = strings.TrimSuffix(base.Path, "/") + "/" + in.Bucket + "/" + in.Key
		base.RawPath = prefix + "/" + httpbinding.EscapePath(in.Bucket, true) + "/" + key
	} else {
		base.Host = in.Bucket + "." + base.Host
		base.Path = "/" + in.Key
		base.RawPath = "/" + key
	}
	if in.VersionID != "" {
		base.RawQuery = "versionId=" + url.QueryEscape(in.VersionID)
	}
	return base, nil
}

// virtualHostable reports whether the bucket can be a host name under
// S3's TLS certificate: lowercase letters, digits and dashes, no dots.
func virtualHostable(bucket string) bool {
	if len(bucket) < 3 || len(bucket) > 63 || bucket[0] == '-' || bucket[len(bucket)-1] == '-' {
		return false
	}
	for _, c := range bucket {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// s3Error reads S3's XML error document (<Error><Code>NoSuchKey</Code>
// <Message>…</Message></Error>); an answer without one (a HEAD, a proxy)
// is named by its status.
func s3Error(resp *http.Response, body []byte) error {
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("X-Amz-Request-Id"),
		Code: xmlElement(body, "Code"), Message: xmlElement(body, "Message")}
	if e.Code == "" && resp.StatusCode == http.StatusNotFound {
		e.Code = "NotFound"
	}
	if e.Code == "PermanentRedirect" || e.Code == "AuthorizationHeaderMalformed" {
		if r := resp.Header.Get("X-Amz-Bucket-Region"); r != "" {
			e.Message += fmt.Sprintf(" (the bucket is in %s, the function in another region)", r)
		}
	}
	return e
}

// xmlElement is the text of the first <name> element: S3's error document
// is flat, and reading two fields needs no XML decoder.
func xmlElement(doc []byte, name string) string {
	s := string(doc)
	i := strings.Index(s, "<"+name+">")
	if i < 0 {
		return ""
	}
	s = s[i+len(name)+2:]
	j := strings.Index(s, "</"+name+">")
	if j < 0 {
		return ""
	}
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&")
	return firstLine([]byte(r.Replace(s[:j])))
}
