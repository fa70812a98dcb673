package publish

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/signing"
	"github.com/claimsmapper/claimsmapper/internal/termtext"
)

// RaceError reports that the object changed between the review and the
// write: someone else published in between.
type RaceError struct {
	Loc Location
	// Expected is the version that was reviewed ("" for no object).
	Expected string
	// Found is the version in force now, when known.
	Found Object
	// Written is our version when the write went through anyway (only
	// without conditional writes, where the race shows after the fact).
	Written string
}

func (e *RaceError) Error() string {
	who := ""
	if e.Found.Meta.Author != "" {
		who = " by " + termtext.Line(e.Found.Meta.Author)
	}
	found := "a new version"
	if e.Found.VersionID != "" {
		found = fmt.Sprintf("version %s", e.Found.VersionID)
	}
	if e.Written != "" {
		return fmt.Sprintf("someone else published %s at the same time (%s%s): your version %s was written, but which one is in force is not what you reviewed; run claimsmapper history %s, then diff and publish again",
			e.Loc, found, who, e.Written, e.Loc)
	}
	return fmt.Sprintf("%s changed since you reviewed it (%s%s is in force now): nothing was written; run the diff again against it and publish again", e.Loc, found, who)
}

// CheckVersioning refuses a bucket without versioning: an overwrite there
// loses the mapping in force, with nothing to roll back to.
func CheckVersioning(ctx context.Context, api API, loc Location) error {
	out, err := api.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(loc.Bucket)})
	if err != nil {
		return fmt.Errorf("read the versioning of bucket %q: %w", loc.Bucket, err)
	}
	if out.Status != types.BucketVersioningStatusEnabled {
		return fmt.Errorf("bucket %q does not keep versions, so a bad mapping could not be rolled back: turn versioning on (aws s3api put-bucket-versioning --bucket %s --versioning-configuration Status=Enabled) and publish again", loc.Bucket, loc.Bucket)
	}
	return nil
}

// put writes text as the new current version of loc, provided the object is
// still expected (the version that was reviewed; Exists false for none).
// It returns the new version's id. A *RaceError says someone else won.
//
// The write is conditional on the reviewed ETag (If-Match, or
// If-None-Match: * for a first publish). A server that does not implement
// conditional writes answers 501; then the version in force is checked just
// before the write, and the version history just after.
func put(ctx context.Context, api API, loc Location, text []byte, meta Metadata, expected Object) (string, error) {
	return PutSigned(ctx, api, loc, text, meta, expected, nil)
}

// PutSigned is put with the version signed by signer (nil: unsigned): the
// signature covers the text's sha256, the metadata history shows and the
// object, and travels in the same write as the text.
func PutSigned(ctx context.Context, api API, loc Location, text []byte, meta Metadata, expected Object, signer *signing.Signer) (string, error) {
	meta.SHA256 = mappingfile.SHA256(text)
	reserve := 0
	if signer != nil {
		reserve = signing.SignatureSize(signer.KeyID)
	}
	headers := meta.encode(reserve)
	if signer != nil {
		if err := signer.Sign(ctx, signing.ObjectName(loc.Bucket, loc.Key), text, headers); err != nil {
			return "", err
		}
	}
	in := &s3.PutObjectInput{
		Bucket:      aws.String(loc.Bucket),
		Key:         aws.String(loc.Key),
		Body:        bytes.NewReader(text),
		ContentType: aws.String("application/yaml"),
		Metadata:    headers,
	}
	cond := *in
	if expected.Exists {
		cond.IfMatch = aws.String(expected.ETag)
	} else {
		cond.IfNoneMatch = aws.String("*")
	}
	out, err := api.PutObject(ctx, &cond)
	switch {
	case err == nil:
		return aws.ToString(out.VersionId), nil
	case status(err) == http.StatusPreconditionFailed || status(err) == http.StatusConflict:
		// 409: a concurrent conditional write to the same key is in flight.
		return "", race(ctx, api, loc, expected, "")
	case !unsupported(err):
		return "", fmt.Errorf("write %s: %w", loc, err)
	}
	// The first attempt read the body.
	in.Body = bytes.NewReader(text)
	return checkedPut(ctx, api, loc, in, expected)
}

// checkedPut writes without a condition, checking the version in force just
// before and the history just after.
func checkedPut(ctx context.Context, api API, loc Location, in *s3.PutObjectInput, expected Object) (string, error) {
	cur, err := Get(ctx, api, at(loc, ""))
	if err != nil {
		return "", err
	}
	if cur.Exists != expected.Exists || cur.VersionID != expected.VersionID || cur.ETag != expected.ETag {
		return "", &RaceError{Loc: loc, Expected: expected.VersionID, Found: cur}
	}
	out, err := api.PutObject(ctx, in)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", loc, err)
	}
	ours := aws.ToString(out.VersionId)
	versions, err := listVersions(ctx, api, loc, 50)
	if err != nil {
		return ours, fmt.Errorf("written as version %s, but the check that nobody published at the same time failed: %w", ours, err)
	}
	// Newest first: ours must be first, and right behind it the version
	// that was reviewed.
	pos := -1
	for i, v := range versions {
		if v.VersionID == ours {
			pos = i
			break
		}
	}
	prev := ""
	if pos >= 0 && pos+1 < len(versions) {
		prev = versions[pos+1].VersionID
	}
	follows := prev == expected.VersionID
	if !expected.Exists {
		// A first version may follow the deletion of an earlier object.
		follows = prev == "" || versions[pos+1].Deleted
	}
	if pos != 0 || !follows {
		found := Object{}
		if len(versions) > 0 {
			found, _ = Get(ctx, api, at(loc, versions[0].VersionID))
		}
		return ours, &RaceError{Loc: loc, Expected: expected.VersionID, Found: found, Written: ours}
	}
	return ours, nil
}

func race(ctx context.Context, api API, loc Location, expected Object, written string) error {
	cur, err := Get(ctx, api, at(loc, ""))
	if err != nil {
		cur = Object{}
	}
	return &RaceError{Loc: loc, Expected: expected.VersionID, Found: cur, Written: written}
}

func status(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// unsupported reports a server that does not implement conditional writes.
func unsupported(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "NotImplemented" {
		return true
	}
	return status(err) == http.StatusNotImplemented
}
