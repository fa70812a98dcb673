package mappingfile

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// S3API is the one S3 call the loader makes; *s3.Client implements it.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// NewS3Client builds an S3 client from the standard AWS configuration. When
// AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) points it at a local server, it
// uses path-style addressing, since local servers do not serve
// bucket.host names.
func NewS3Client(ctx context.Context) (*s3.Client, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region is configured: set AWS_REGION")
	}
	local := os.Getenv("AWS_ENDPOINT_URL_S3") != "" || os.Getenv("AWS_ENDPOINT_URL") != ""
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = local
		// Local servers send no checksums; the SDK would warn on every read.
		o.DisableLogOutputChecksumValidationSkipped = true
	}), nil
}

// errNotModified reports a 304: the object still has the ETag we sent.
var errNotModified = errors.New("not modified")

// Get reads one S3 object, at most MaxSize bytes of it: the one reader of
// mapping objects, for the function's Fetcher and for publish alike. loc
// names its version, or none for the current one. With ifNoneMatch set, S3
// answers 304 (and Get errNotModified) when the object's ETag is still
// that. optFns adjust the one request.
func Get(ctx context.Context, client S3API, loc Location, ifNoneMatch string, optFns ...func(*s3.Options)) (Object, error) {
	in := &s3.GetObjectInput{Bucket: aws.String(loc.Bucket), Key: aws.String(loc.Key)}
	if loc.VersionID != "" {
		in.VersionId = aws.String(loc.VersionID)
	}
	if ifNoneMatch != "" {
		in.IfNoneMatch = aws.String(ifNoneMatch)
	}
	out, err := client.GetObject(ctx, in, optFns...)
	if err != nil {
		// The SDK reports a 304 as an error with no code of its own.
		var re *smithyhttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotModified {
			return Object{}, errNotModified
		}
		return Object{}, err
	}
	defer out.Body.Close()
	text, err := ReadText(out.Body, loc.String())
	if err != nil {
		return Object{}, &TextError{err}
	}
	return Object{Text: text, Source: loc.String(), ETag: aws.ToString(out.ETag), VersionID: aws.ToString(out.VersionId),
		SHA256: SHA256(text), Metadata: out.Metadata}, nil
}

// TextError is an object S3 found whose text could not be read (a broken
// connection, or larger than MaxSize). Its message names the object.
type TextError struct{ Err error }

func (e *TextError) Error() string { return e.Err.Error() }
func (e *TextError) Unwrap() error { return e.Err }
