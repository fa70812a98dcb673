package publish

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
)

// Version is one entry of the object's history.
type Version struct {
	VersionID string
	Time      time.Time
	// Latest is the version in force.
	Latest bool
	// Deleted marks a delete marker: the object was deleted then.
	Deleted bool
	Meta    Metadata
	// Raw is the version's metadata as stored, which a signature covers.
	Raw map[string]string
	// SHA256 is the digest of the text as stored; it differs from
	// Meta.SHA256 when the object was written by other means.
	SHA256 string
	// Claims is how many claims the mapping declares; -1 when it does not
	// parse.
	Claims int
	Size   int
}

// listVersions lists at most limit versions and delete markers of the key,
// newest first, without reading them.
func listVersions(ctx context.Context, api API, loc Location, limit int) ([]Version, error) {
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(loc.Bucket), Prefix: aws.String(loc.Key)}
	var versions, markers []Version
	for len(versions)+len(markers) < limit {
		page, err := api.ListObjectVersions(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list the versions of %s: %w", loc, err)
		}
		for _, v := range page.Versions {
			if aws.ToString(v.Key) == loc.Key {
				versions = append(versions, Version{VersionID: aws.ToString(v.VersionId), Time: aws.ToTime(v.LastModified), Latest: aws.ToBool(v.IsLatest), Size: int(aws.ToInt64(v.Size))})
			}
		}
		for _, m := range page.DeleteMarkers {
			if aws.ToString(m.Key) == loc.Key {
				markers = append(markers, Version{VersionID: aws.ToString(m.VersionId), Time: aws.ToTime(m.LastModified), Latest: aws.ToBool(m.IsLatest), Deleted: true})
			}
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
	// S3 lists a key's versions newest first, which orders versions written
	// within the same second; a server that lists them oldest first shows
	// it by putting the latest one last.
	if n := len(versions); n > 1 && versions[n-1].Latest && !versions[0].Latest {
		slices.Reverse(versions)
	}
	out := append(versions, markers...)
	sortNewestFirst(out)
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// sortNewestFirst orders by time, the version in force first among equals
// (S3 times have a one-second resolution).
func sortNewestFirst(vs []Version) {
	for i := 1; i < len(vs); i++ {
		for j := i; j > 0 && newer(vs[j], vs[j-1]); j-- {
			vs[j], vs[j-1] = vs[j-1], vs[j]
		}
	}
}

func newer(a, b Version) bool {
	if a.Latest != b.Latest {
		return a.Latest
	}
	return a.Time.After(b.Time)
}

// history lists at most limit versions of the object, newest first, each
// read to show its metadata, digest and claim count.
func history(ctx context.Context, api API, loc Location, limit int) ([]Version, error) {
	vs, err := listVersions(ctx, api, loc, limit)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		if vs[i].Deleted {
			continue
		}
		obj, err := Get(ctx, api, at(loc, vs[i].VersionID))
		if err != nil {
			return nil, err
		}
		vs[i].read(obj, loc)
	}
	return vs, nil
}

// read fills in, from the version's object, what history shows of it.
func (v *Version) read(obj Object, loc Location) {
	v.Meta, v.Raw = obj.Meta, obj.Metadata
	v.SHA256 = mappingfile.SHA256(obj.Text)
	v.Claims = -1
	if m, _ := config.Parse(loc.String(), obj.Text, config.Options{}); m != nil {
		v.Claims = len(m.Claims)
	}
}

// beforeInForce is the version a rollback without --to goes back to: the
// newest readable version older than the one in force.
func beforeInForce(vs []Version) (Version, bool) {
	for i, v := range vs {
		if v.Latest || i == 0 {
			continue
		}
		if !v.Deleted {
			return v, true
		}
	}
	return Version{}, false
}
