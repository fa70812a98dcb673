package publish

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
)

// faultyS3 answers each call with what its fields say; it counts the writes.
type faultyS3 struct {
	put    []error // one per PutObject call, in order; nil answers version "new"
	get    error
	list   error
	writes int
}

func (f *faultyS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	f.writes++
	if _, err := io.ReadAll(in.Body); err != nil {
		return nil, err
	}
	if err := f.put[f.writes-1]; err != nil {
		return nil, err
	}
	return &s3.PutObjectOutput{VersionId: aws.String("new")}, nil
}

func (f *faultyS3) GetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	if f.get != nil {
		return nil, f.get
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader("version: 1\n")), ETag: aws.String(`"e1"`), VersionId: aws.String("v1"),
		Metadata: map[string]string{metaAuthor: "sam"}}, nil
}

func (f *faultyS3) ListObjectVersions(context.Context, *s3.ListObjectVersionsInput, ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
	return nil, f.list
}

func (f *faultyS3) GetBucketVersioning(context.Context, *s3.GetBucketVersioningInput, ...func(*s3.Options)) (*s3.GetBucketVersioningOutput, error) {
	return nil, errors.New("not used")
}

// httpError is an S3 answer with the given status and code.
func httpError(status int, code string) error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: code},
	}
}

// put's S3 faults: each says what happened to the write, and none is taken
// for another.
func TestPutReportsEachS3Fault(t *testing.T) {
	t.Parallel()
	loc, err := ParseLocation("s3://config/mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	reviewed := Object{Exists: true, Object: mappingfile.Object{ETag: `"e1"`, VersionID: "v1"}}
	denied := httpError(http.StatusForbidden, "AccessDenied")
	unsupported := httpError(http.StatusNotImplemented, "NotImplemented")
	for _, tt := range []struct {
		name        string
		api         *faultyS3
		wantVersion string
		wantWrites  int
		wantRace    bool
		wantText    string
	}{
		{"a denied write is reported as a failed write, not a race", &faultyS3{put: []error{denied}},
			"", 1, false, "write s3://config/mapping.yaml"},
		{"a refused condition is a race naming the version in force", &faultyS3{put: []error{httpError(http.StatusPreconditionFailed, "PreconditionFailed")}},
			"", 1, true, "version v1 by sam is in force now"},
		{"a concurrent conditional write is a race too", &faultyS3{put: []error{httpError(http.StatusConflict, "ConditionalRequestConflict")}},
			"", 1, true, "nothing was written"},
		{"without conditional writes, a failed read before the write writes nothing", &faultyS3{put: []error{unsupported}, get: denied},
			"", 1, false, "read s3://config/mapping.yaml"},
		{"without conditional writes, a failed write is reported", &faultyS3{put: []error{unsupported, denied}},
			"", 2, false, "write s3://config/mapping.yaml"},
		{"without conditional writes, a failed check after the write says the write went through", &faultyS3{put: []error{unsupported, nil}, list: denied},
			"new", 2, false, "written as version new, but the check that nobody published at the same time failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			version, err := put(context.Background(), tt.api, loc, []byte("version: 1\n"), Metadata{Author: "ana"}, reviewed)
			var race *RaceError
			if err == nil || version != tt.wantVersion || tt.api.writes != tt.wantWrites || errors.As(err, &race) != tt.wantRace ||
				!strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("put = %q, %v after %d write(s); want version %q, %d write(s), a race %v, and an error containing %q",
					version, err, tt.api.writes, tt.wantVersion, tt.wantWrites, tt.wantRace, tt.wantText)
			}
		})
	}
}
