package mappingfile

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestRealS3 runs the fetcher's S3 path against s3rver through the real
// client, configured as the function is (AWS_ENDPOINT_URL_S3, path-style).
// It sets process environment variables, so it does not run in parallel.
func TestRealS3(t *testing.T) {
	srv := testenv.StartS3(t)
	srv.CreateBucket(t, "maps")
	env := map[string]string{
		"AWS_REGION": "us-east-1", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL": "",
	}
	for k, v := range srv.Env() {
		env[k] = v
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	open := func(t *testing.T, h *harness, loc Location) (*Fetcher, Object) {
		t.Helper()
		h.opts.S3 = nil // the real client, from the environment
		return h.open(t, loc)
	}

	t.Run("the object is read, then a 304 returns nothing, then a change is returned", func(t *testing.T) {
		h := newHarness(t)
		etag := srv.Put(t, "maps", "m.yaml", text(1))
		f, obj := open(t, h, s3Loc)
		if obj.ETag != etag || string(obj.Text) != text(1) || obj.Source != "s3://maps/m.yaml" {
			t.Fatalf("object %+v, want etag %s and the text", obj, etag)
		}
		h.clock.Add(time.Minute)
		if got := changed(f); got != "" {
			t.Errorf("an unchanged object returned %q", got)
		}
		if !strings.Contains(h.logs.String(), `"msg":"mapping unchanged"`) {
			t.Errorf("the 304 was not seen as unchanged:\n%s", h.logs)
		}
		etag = srv.Put(t, "maps", "m.yaml", text(2))
		h.clock.Add(time.Minute)
		if obj, ok := f.Changed(context.Background()); !ok || string(obj.Text) != text(2) || obj.ETag != etag {
			t.Errorf("object %+v, %v after the change, want the new text and %s", obj, ok, etag)
		}
	})

	t.Run("a key with spaces, a plus and non-ASCII letters is signed and read", func(t *testing.T) {
		h := newHarness(t)
		const key = "dir/a b+c ü.yaml"
		etag := srv.Put(t, "maps", key, text(5))
		_, obj := open(t, h, Location{Kind: S3, Bucket: "maps", Key: key})
		if obj.ETag != etag || string(obj.Text) != text(5) {
			t.Fatalf("object %+v, want etag %s and the text", obj, etag)
		}
	})

	t.Run("a missing object fails the open", func(t *testing.T) {
		h := newHarness(t)
		h.opts.S3 = nil
		_, _, err := Open(context.Background(), Location{Kind: S3, Bucket: "maps", Key: "missing.yaml"}, h.opts)
		if err == nil || !strings.Contains(err.Error(), "read the mapping s3://maps/missing.yaml") || !strings.Contains(err.Error(), "NoSuchKey") {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("a stopped server returns nothing", func(t *testing.T) {
		h := newHarness(t)
		h.opts.RefreshWait = 200 * time.Millisecond
		srv.Put(t, "maps", "stop.yaml", text(3))
		f, _ := open(t, h, Location{Kind: S3, Bucket: "maps", Key: "stop.yaml", Refresh: time.Minute})
		srv.Stop()
		h.clock.Add(time.Minute)
		if got := changed(f); got != "" {
			t.Errorf("got %q from a stopped server", got)
		}
	})
}
