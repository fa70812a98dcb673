package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
)

func TestSourceCacheSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, cache string
		ttl         time.Duration
		bytes       int64
		err         string
	}{
		{"a duration keeps the default bound", "5m", 5 * time.Minute, config.DefaultCacheBytes, ""},
		{"maxBytes in MB", "{ ttl: 30s, maxBytes: 2MB }", 30 * time.Second, 2 << 20, ""},
		{"maxBytes in KB", "{ ttl: 30s, maxBytes: 512KB }", 30 * time.Second, 512 << 10, ""},
		{"maxBytes in bytes", "{ ttl: 30s, maxBytes: 65536 }", 30 * time.Second, 65536, ""},
		{"more than the largest bound is refused", "{ ttl: 30s, maxBytes: 1024MB }", 0, 0, "sources.s.cache.maxBytes should be between 1KB and 64MB, not 1024MB"},
		{"a number so large that counting its bytes overflows is refused", "{ ttl: 30s, maxBytes: 17592186044417MB }", 0, 0, "should be between 1KB and 64MB, not 17592186044417MB"},
		{"a negative size is refused", "{ ttl: 30s, maxBytes: -5KB }", 0, 0, "should be between 1KB and 64MB, not -5KB"},
		{"less than an item is refused", "{ ttl: 30s, maxBytes: 10 }", 0, 0, "should be between 1KB and 64MB"},
		{"a size that is not one is refused", "{ ttl: 30s, maxBytes: lots }", 0, 0, `should be a size such as 512KB or 2MB, not "lots"`},
		{"the ttl is required", "{ maxBytes: 1MB }", 0, 0, "needs ttl:"},
		{"unknown keys are refused", "{ ttl: 1m, size: 1MB }", 0, 0, `unknown key "size"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "version: 1\nsources:\n  s:\n    table: Tab\n    key: { id: event.userName }\n    cache: " + tt.cache + "\nclaims:\n  a: s.a\n"
			m, err := parse(src, config.Env{})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s := m.Sources[0]; s.Cache != tt.ttl || s.CacheBytes != tt.bytes {
				t.Errorf("cache %v, %d bytes; want %v, %d", s.Cache, s.CacheBytes, tt.ttl, tt.bytes)
			}
		})
	}
}
