package mappingfile

import (
	"bytes"
	"context"

	"github.com/claimsmapper/claimsmapper/internal/awsapi"
)

// S3API is the one S3 call the loader makes; *awsapi.S3 implements it, and
// publish adapts the SDK's client to it.
type S3API interface {
	GetObject(ctx context.Context, in awsapi.GetObjectInput) (awsapi.Object, error)
}

// NewS3Client builds the S3 client for the function's configuration.
func NewS3Client(cfg awsapi.Config) *awsapi.S3 { return awsapi.NewS3(cfg) }

// Get reads one S3 object, at most MaxSize bytes of it: the one reader of
// mapping objects, for the function's Fetcher and for publish alike. loc
// names its version, or none for the current one. With ifNoneMatch set, S3
// answers 304 (and Get awsapi.ErrNotModified, as the client returns it) when the object's ETag is still
// that.
func Get(ctx context.Context, client S3API, loc Location, ifNoneMatch string) (Object, error) {
	out, err := client.GetObject(ctx, awsapi.GetObjectInput{Bucket: loc.Bucket, Key: loc.Key,
		VersionID: loc.VersionID, IfNoneMatch: ifNoneMatch, Limit: MaxSize})
	if err != nil {
		return Object{}, err
	}
	text, err := ReadText(bytes.NewReader(out.Body), loc.String())
	if err != nil {
		return Object{}, &TextError{err}
	}
	return Object{Text: text, Source: loc.String(), ETag: out.ETag, VersionID: out.VersionID,
		SHA256: SHA256(text), Metadata: out.Metadata}, nil
}

// TextError is an object S3 found whose text could not be read (a broken
// connection, or larger than MaxSize). Its message names the object.
type TextError struct{ Err error }

func (e *TextError) Error() string { return e.Err.Error() }
func (e *TextError) Unwrap() error { return e.Err }
