package config

import (
	"errors"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// A source's cache lives in the memory of one Lambda instance, next to
// every other source's, so each is bounded in bytes as well as in time: a
// table of large items must not exhaust the function's memory.
const (
	// DefaultCacheBytes bounds a source's cache when its cache: setting
	// names no maxBytes.
	DefaultCacheBytes = 4 << 20
	// MaxCacheBytes is the largest maxBytes a source may ask for: with a
	// few caching sources it stays well inside the smallest Lambda memory
	// size that serves a user pool.
	MaxCacheBytes = 64 << 20
	// minCacheBytes is the smallest maxBytes worth having: one item.
	minCacheBytes = 1 << 10
)

var cacheKeys = []string{"ttl", "maxBytes"}

// cache reads a source's cache: a duration (`cache: 5m`), or an object with
// the duration and the bound in bytes (`cache: { ttl: 5m, maxBytes: 1MB }`).
func (p *parser) cache(n *yaml.Node, path string, s *Source) {
	n = yamlnode.Deref(n)
	if n.Kind != yaml.MappingNode {
		s.Cache, _ = p.r.Duration(n, path)
		s.CacheBytes = DefaultCacheBytes
		return
	}
	f := p.r.Object(n, path, cacheKeys)
	if f == nil {
		return
	}
	if e, ok := f["ttl"]; ok {
		s.Cache, _ = p.r.Duration(e.Val, path+".ttl")
	} else {
		p.errorf(n, path, "required", "%s needs ttl:, how long to keep a result, e.g. ttl: 5m", path)
	}
	s.CacheBytes = DefaultCacheBytes
	if e, ok := f["maxBytes"]; ok {
		b, err := parseBytes(yamlnode.Deref(e.Val).Value)
		switch {
		case err != nil:
			p.errorf(yamlnode.Deref(e.Val), path+".maxBytes", "type", "%s should be a size such as 512KB or 2MB, not %q", path+".maxBytes", yamlnode.Deref(e.Val).Value)
		case b < minCacheBytes || b > MaxCacheBytes:
			p.errorf(yamlnode.Deref(e.Val), path+".maxBytes", "range", "%s should be between 1KB and %dMB, not %s", path+".maxBytes", MaxCacheBytes>>20, yamlnode.Deref(e.Val).Value)
		default:
			s.CacheBytes = b
		}
	}
}

// parseBytes reads a size: a number of bytes, or one with KB or MB
// (1024-based, as memory is counted).
func parseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	switch u := strings.ToUpper(s); {
	case strings.HasSuffix(u, "MB"):
		mult, s = 1<<20, s[:len(s)-2]
	case strings.HasSuffix(u, "KB"):
		mult, s = 1<<10, s[:len(s)-2]
	case strings.HasSuffix(u, "B"):
		s = s[:len(s)-1]
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, errors.New("not a size")
	}
	if n < 0 || n > MaxCacheBytes {
		// Out of range already: scaling it could overflow into the range.
		return n, nil
	}
	return n * mult, nil
}
