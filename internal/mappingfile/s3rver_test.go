package mappingfile

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestRealS3 runs the loader's S3 path against s3rver through the real SDK
// client, configured the standard way (AWS_ENDPOINT_URL_S3, path-style).
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
	open := func(t *testing.T, h *harness, loc Location) *Loader {
		t.Helper()
		h.opts.S3 = nil // the real client, from the environment
		return h.open(t, loc)
	}

	t.Run("the object is read, then a 304 costs no compile, then a change is loaded", func(t *testing.T) {
		h := newHarness(t)
		etag := srv.Put(t, "maps", "m.yaml", mappingWith(1))
		l := open(t, h, s3Loc)
		if info := l.Active(); info.ETag != etag || info.Claims != 1 || info.Source != "s3://maps/m.yaml" {
			t.Fatalf("info %+v, want etag %s and one claim", info, etag)
		}
		h.clock.Add(time.Minute)
		claims(l)
		if n := h.compiles.Load(); n != 1 {
			t.Errorf("%d compiles after an unchanged check, want 1", n)
		}
		if !strings.Contains(h.logs.String(), `"msg":"mapping unchanged"`) {
			t.Errorf("the 304 was not seen as unchanged:\n%s", h.logs)
		}
		etag = srv.Put(t, "maps", "m.yaml", mappingWith(2))
		h.clock.Add(time.Minute)
		if n := claims(l); n != 2 || l.Active().ETag != etag {
			t.Errorf("claims %d etag %s after the change, want 2 and %s", n, l.Active().ETag, etag)
		}
	})

	t.Run("a missing object fails the load", func(t *testing.T) {
		h := newHarness(t)
		h.opts.S3 = nil
		_, err := Open(context.Background(), Location{Kind: S3, Bucket: "maps", Key: "missing.yaml"}, h.opts)
		if err == nil || !strings.Contains(err.Error(), "read the mapping s3://maps/missing.yaml") || !strings.Contains(err.Error(), "NoSuchKey") {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("a stopped server keeps the mapping and costs the invocation little", func(t *testing.T) {
		h := newHarness(t)
		h.opts.RefreshWait = 200 * time.Millisecond
		srv.Put(t, "maps", "stop.yaml", mappingWith(3))
		l := open(t, h, Location{Kind: S3, Bucket: "maps", Key: "stop.yaml", Refresh: time.Minute})
		srv.Stop()
		h.clock.Add(time.Minute)
		start := time.Now()
		if n := claims(l); n != 3 {
			t.Errorf("claims %d, want 3", n)
		}
		if took := time.Since(start); took > 400*time.Millisecond {
			t.Errorf("the invocation took %v with S3 stopped", took)
		}
	})
}
