package mappingfile

import (
	"strings"
	"testing"
	"time"
)

func envOf(kv ...string) func(string) (string, bool) {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want string // Location.String(), or the error's text when wantErr
		kind Kind
		err  string
		ref  time.Duration
	}{
		{name: "an inline mapping is read from CLAIMS_MAPPING", env: []string{EnvInline, "version: 1"}, want: "CLAIMS_MAPPING", kind: Inline},
		{name: "an s3 uri names bucket and key", env: []string{EnvURI, "s3://maps/prod/mapping.yaml"}, want: "s3://maps/prod/mapping.yaml", kind: S3},
		{name: "an s3 uri may pin a version", env: []string{EnvURI, "s3://maps/m.yaml?versionId=3HL4kqtJ"}, want: "s3://maps/m.yaml?versionId=3HL4kqtJ", kind: S3},
		{name: "a relative path resolves against the task root", env: []string{EnvURI, "conf/mapping.yaml", EnvTaskRoot, "/var/task"}, want: "/var/task/conf/mapping.yaml", kind: File},
		{name: "an absolute path stays", env: []string{EnvURI, "/opt/mapping.yaml", EnvTaskRoot, "/var/task"}, want: "/opt/mapping.yaml", kind: File},
		{name: "a refresh interval applies to s3", env: []string{EnvURI, "s3://b/k", EnvRefresh, "30s"}, want: "s3://b/k", kind: S3, ref: 30 * time.Second},
		{name: "a zero refresh turns checking off", env: []string{EnvURI, "s3://b/k", EnvRefresh, "0"}, want: "s3://b/k", kind: S3},
		{name: "an empty CLAIMS_MAPPING counts as unset", env: []string{EnvInline, "  ", EnvURI, "s3://b/k"}, want: "s3://b/k", kind: S3},

		{name: "neither variable is an error that names both", err: "no mapping: set CLAIMS_MAPPING to the mapping's YAML, or CLAIMS_MAPPING_URI to s3://bucket/key or a file path"},
		{name: "both variables are an error", env: []string{EnvInline, "version: 1", EnvURI, "s3://b/k"}, err: "both CLAIMS_MAPPING and CLAIMS_MAPPING_URI are set: set only one"},
		{name: "a refresh of an inline mapping is an error", env: []string{EnvInline, "version: 1", EnvRefresh, "1m"}, err: "CLAIMS_MAPPING_REFRESH applies to S3 mappings only; CLAIMS_MAPPING is not one"},
		{name: "a refresh of a file is an error", env: []string{EnvURI, "/m.yaml", EnvRefresh, "1m"}, err: "CLAIMS_MAPPING_REFRESH applies to S3 mappings only; /m.yaml is not one"},
		{name: "a refresh of a pinned version is an error", env: []string{EnvURI, "s3://b/k?versionId=v1", EnvRefresh, "1m"}, err: "names a fixed version"},
		{name: "a refresh that is not a duration is an error", env: []string{EnvURI, "s3://b/k", EnvRefresh, "often"}, err: `CLAIMS_MAPPING_REFRESH="often": want a duration such as 30s or 5m`},
		{name: "a refresh under a second is an error", env: []string{EnvURI, "s3://b/k", EnvRefresh, "1ms"}, err: "at most once a second"},
		{name: "a negative refresh is an error", env: []string{EnvURI, "s3://b/k", EnvRefresh, "-1s"}, err: "want a duration"},
		{name: "an s3 uri without a key is an error", env: []string{EnvURI, "s3://bucket"}, err: `CLAIMS_MAPPING_URI: "s3://bucket": want s3://bucket/key`},
		{name: "an s3 uri naming a folder is an error", env: []string{EnvURI, "s3://bucket/dir/"}, err: "want s3://bucket/key"},
		{name: "an unknown query parameter is an error", env: []string{EnvURI, "s3://b/k?version=1"}, err: `unknown parameter "version"`},
		{name: "an empty versionId is an error", env: []string{EnvURI, "s3://b/k?versionId="}, err: "versionId needs one value"},
		{name: "another scheme is an error", env: []string{EnvURI, "https://example.com/m.yaml"}, err: `unsupported scheme "https"`},
		{name: "a NUL byte in the inline mapping is an error", env: []string{EnvInline, "a\x00b"}, err: "NUL byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			loc, err := FromEnv(envOf(tt.env...))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if loc.String() != tt.want || loc.Kind != tt.kind || loc.Refresh != tt.ref {
				t.Errorf("got %s (kind %d, refresh %v), want %s (kind %d, refresh %v)", loc, loc.Kind, loc.Refresh, tt.want, tt.kind, tt.ref)
			}
		})
	}
}

func TestParseURIKeepsTheVersion(t *testing.T) {
	t.Parallel()
	loc, err := ParseURI("s3://maps/a%20b/m.yaml?versionId=x%2By", "")
	if err != nil {
		t.Fatal(err)
	}
	if loc.Bucket != "maps" || loc.Key != "a b/m.yaml" || loc.VersionID != "x+y" {
		t.Errorf("got bucket %q key %q version %q", loc.Bucket, loc.Key, loc.VersionID)
	}
}
