package mappingfile

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"
)

// The environment variables that say where the mapping comes from.
const (
	// EnvInline holds the mapping's YAML. Lambda allows 4 KB of environment
	// in total, which bounds an inline mapping.
	EnvInline = "CLAIMS_MAPPING"
	// EnvURI names an S3 object or a file holding the mapping.
	EnvURI = "CLAIMS_MAPPING_URI"
	// EnvRefresh is how often an S3 mapping is checked for changes, as a Go
	// duration (30s, 5m); unset or 0 turns checking off.
	EnvRefresh = "CLAIMS_MAPPING_REFRESH"
	// EnvTaskRoot is where Lambda unpacks the function's zip.
	EnvTaskRoot = "LAMBDA_TASK_ROOT"
)

// Kind is where a mapping is read from.
type Kind int

const (
	Inline Kind = iota
	File
	S3
)

// Location says where the mapping comes from and how often to check it.
type Location struct {
	Kind Kind
	// Text is the inline mapping.
	Text []byte
	// Path is the file's path, made absolute against the task root.
	Path string
	// Bucket, Key and VersionID name the S3 object; VersionID may be empty.
	Bucket, Key, VersionID string
	// Refresh is how often to check an S3 object for changes; 0 never.
	Refresh time.Duration
}

// String is the name messages and logs use for the mapping: the variable,
// the path or the s3:// URI. Findings are reported against it.
func (l Location) String() string {
	switch l.Kind {
	case File:
		return l.Path
	case S3:
		s := "s3://" + l.Bucket + "/" + l.Key
		if l.VersionID != "" {
			s += "?versionId=" + url.QueryEscape(l.VersionID)
		}
		return s
	default:
		return EnvInline
	}
}

// FromEnv reads the location from the environment. Exactly one of
// CLAIMS_MAPPING and CLAIMS_MAPPING_URI must be set; an empty value counts
// as unset.
func FromEnv(lookupEnv func(string) (string, bool)) (Location, error) {
	get := func(k string) string { v, _ := lookupEnv(k); return v }
	inline, uri := get(EnvInline), strings.TrimSpace(get(EnvURI))
	hasInline := strings.TrimSpace(inline) != ""
	var loc Location
	switch {
	case hasInline && uri != "":
		return Location{}, fmt.Errorf("both %s and %s are set: set only one", EnvInline, EnvURI)
	case !hasInline && uri == "":
		return Location{}, fmt.Errorf("no mapping: set %s to the mapping's YAML, or %s to s3://bucket/key or a file path", EnvInline, EnvURI)
	case hasInline:
		if strings.ContainsRune(inline, 0) {
			return Location{}, errors.New(EnvInline + ": the mapping contains a NUL byte")
		}
		loc = Location{Kind: Inline, Text: []byte(inline)}
	default:
		var err error
		if loc, err = ParseURI(uri, get(EnvTaskRoot)); err != nil {
			return Location{}, fmt.Errorf("%s: %w", EnvURI, err)
		}
	}
	refresh, err := parseRefresh(get(EnvRefresh))
	if err != nil {
		return Location{}, err
	}
	if refresh > 0 {
		switch {
		case loc.Kind != S3:
			return Location{}, fmt.Errorf("%s applies to S3 mappings only; %s is not one", EnvRefresh, loc)
		case loc.VersionID != "":
			return Location{}, fmt.Errorf("%s: %s names a fixed version, which never changes: drop versionId or the refresh", EnvRefresh, loc)
		}
	}
	loc.Refresh = refresh
	return loc, nil
}

func parseRefresh(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s=%q: want a duration such as 30s or 5m", EnvRefresh, s)
	}
	if d < MinRefresh {
		return 0, fmt.Errorf("%s=%q: check at most once a second (%s or more), or 0 for never: a shorter interval would put an S3 request in nearly every sign-in", EnvRefresh, s, MinRefresh)
	}
	return d, nil
}

// MinRefresh is the shortest CLAIMS_MAPPING_REFRESH: each check can make a
// sign-in wait up to RefreshWait, so checking more often than this would
// put S3 in the path of nearly every sign-in.
const MinRefresh = time.Second

// ParseURI reads s3://bucket/key[?versionId=V] or a file path. A relative
// path resolves against taskRoot (the working directory when it is empty).
func ParseURI(uri, taskRoot string) (Location, error) {
	if strings.HasPrefix(uri, "s3://") {
		u, err := url.Parse(uri)
		if err != nil {
			return Location{}, fmt.Errorf("%q: %w", uri, err)
		}
		key := strings.TrimPrefix(u.Path, "/")
		if u.Host == "" || key == "" || strings.HasSuffix(key, "/") {
			return Location{}, fmt.Errorf("%q: want s3://bucket/key", uri)
		}
		if u.User != nil || u.Fragment != "" {
			return Location{}, fmt.Errorf("%q: want s3://bucket/key", uri)
		}
		q := u.Query()
		for name := range q {
			if name != "versionId" {
				return Location{}, fmt.Errorf("%q: unknown parameter %q (only versionId is allowed)", uri, name)
			}
		}
		if v, ok := q["versionId"]; ok && (len(v) != 1 || v[0] == "") {
			return Location{}, fmt.Errorf("%q: versionId needs one value", uri)
		}
		return Location{Kind: S3, Bucket: u.Host, Key: key, VersionID: q.Get("versionId")}, nil
	}
	if i := strings.Index(uri, "://"); i > 0 {
		return Location{}, fmt.Errorf("%q: unsupported scheme %q (want s3:// or a file path)", uri, uri[:i])
	}
	p := uri
	if !filepath.IsAbs(p) && taskRoot != "" {
		p = filepath.Join(taskRoot, p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return Location{}, fmt.Errorf("%q: %w", uri, err)
	}
	return Location{Kind: File, Path: abs}, nil
}
