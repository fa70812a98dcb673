package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/claimsmapper/claimsmapper/internal/awsapi"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/signing"
)

// API is the part of the S3 client this package uses; *s3.Client implements it.
type API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectVersions(ctx context.Context, in *s3.ListObjectVersionsInput, optFns ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error)
	GetBucketVersioning(ctx context.Context, in *s3.GetBucketVersioningInput, optFns ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error)
}

// Location is an s3://bucket/key[?versionId=V] URI.
type Location = mappingfile.Location

// ParseLocation reads an s3://bucket/key URI.
func ParseLocation(uri string) (Location, error) {
	if !strings.HasPrefix(uri, "s3://") {
		return Location{}, fmt.Errorf("%q: want s3://bucket/key", uri)
	}
	return mappingfile.ParseURI(uri, "")
}

// Metadata is what a publish records on the object's version.
type Metadata struct {
	SHA256  string
	Version string // claimsmapper's
	Author  string
	Message string
}

// The object metadata keys (x-amz-meta-…). S3 lower-cases them. A signed
// version adds the signing package's own.
const (
	metaSHA256  = signing.MetaSHA256
	metaVersion = signing.MetaVersion
	metaAuthor  = signing.MetaAuthor
	metaMessage = signing.MetaMessage
)

// maxMessage bounds the escaped message; maxMetadata is what S3 allows for
// all metadata, keys and values (2 KB), less a margin.
const (
	maxMessage  = 1200
	maxMetadata = 2000
)

// fit shortens s, at a character boundary and marked with "…", until its
// escaped form takes at most limit bytes.
func fit(s string, limit int) string {
	if len(url.QueryEscape(s)) <= limit {
		return s
	}
	r := []rune(s)
	lo, hi := 0, len(r)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(url.QueryEscape(string(r[:mid])+"…")) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return string(r[:lo]) + "…"
}

// encode writes the metadata, leaving reserve bytes of S3's 2 KB free
// (for a signature): the message is cut to what fits.
func (m Metadata) encode(reserve int) map[string]string {
	out := map[string]string{metaSHA256: m.SHA256, metaVersion: url.QueryEscape(m.Version)}
	if m.Author != "" {
		out[metaAuthor] = url.QueryEscape(m.Author)
	}
	if m.Message != "" {
		room := maxMetadata - reserve - len(metaMessage)
		for k, v := range out {
			room -= len(k) + len(v)
		}
		if room = min(room, maxMessage); room > 0 {
			out[metaMessage] = url.QueryEscape(fit(m.Message, room))
		}
	}
	return out
}

// decodeMetadata reads metadata written by encode. Header values are
// ASCII, so text is stored query-escaped.
func decodeMetadata(h map[string]string) Metadata {
	get := func(k string) string {
		v := h[k]
		if s, err := url.QueryUnescape(v); err == nil {
			return s
		}
		return v
	}
	return Metadata{SHA256: h[metaSHA256], Version: get(metaVersion), Author: get(metaAuthor), Message: get(metaMessage)}
}

// Object is one version of the mapping: the object mappingfile reads, with
// what a publish recorded on it.
type Object struct {
	mappingfile.Object
	// Exists is false when there is no object at the key yet.
	Exists bool
	Meta   Metadata
}

// Get reads the object at loc (its current version unless loc names one).
// A missing key is not an error: the result has Exists false.
func Get(ctx context.Context, api API, loc Location) (Object, error) {
	// The text's sha256 is checked against the one recorded at publish
	// (history, rollback) instead of S3's response checksum, which some
	// S3-compatible servers give for another version than the one read.
	obj, err := mappingfile.Get(ctx, sdkReader{api}, loc, "")
	var te *mappingfile.TextError
	switch {
	case err != nil && loc.VersionID == "" && notFound(err):
		return Object{}, nil
	case errors.As(err, &te):
		return Object{}, err // its message names the object
	case err != nil:
		return Object{}, fmt.Errorf("read %s: %w", loc, err)
	}
	return Object{Object: obj, Exists: true, Meta: decodeMetadata(obj.Metadata)}, nil
}

// sdkReader reads objects for mappingfile.Get through the SDK's client,
// which publish needs for its other calls; the function reads them through
// internal/awsapi's.
type sdkReader struct{ api API }

func (r sdkReader) GetObject(ctx context.Context, in awsapi.GetObjectInput) (awsapi.Object, error) {
	req := &s3.GetObjectInput{Bucket: aws.String(in.Bucket), Key: aws.String(in.Key)}
	if in.VersionID != "" {
		req.VersionId = aws.String(in.VersionID)
	}
	if in.IfNoneMatch != "" {
		req.IfNoneMatch = aws.String(in.IfNoneMatch)
	}
	out, err := r.api.GetObject(ctx, req, func(o *s3.Options) {
		// The text's sha256 is checked against the one recorded at publish
		// instead (see Get).
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	if err != nil {
		// The SDK reports a 304 as an error with no code of its own.
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotModified {
			return awsapi.Object{}, awsapi.ErrNotModified
		}
		return awsapi.Object{}, err
	}
	defer out.Body.Close()
	loc := at(Location{Bucket: in.Bucket, Key: in.Key}, in.VersionID)
	body, err := io.ReadAll(io.LimitReader(out.Body, in.Limit+1))
	if err != nil {
		return awsapi.Object{}, &mappingfile.TextError{Err: fmt.Errorf("read %s: %w", loc, err)}
	}
	return awsapi.Object{Body: body, ETag: aws.ToString(out.ETag), VersionID: aws.ToString(out.VersionId), Metadata: out.Metadata}, nil
}

// notFound reports a missing key (not a missing bucket, which is a mistake
// to report).
func notFound(err error) bool {
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return true
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchBucket" {
		return false
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound
}

// at names one version of loc's object ("" for the current one).
func at(loc Location, versionID string) Location {
	return Location{Kind: mappingfile.S3, Bucket: loc.Bucket, Key: loc.Key, VersionID: versionID}
}
