package config_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/golden"
)

// The checked-in schema, which editors load, is what config.Schema generates.
func TestSchemaCheckedIn(t *testing.T) {
	golden.Check(t, "../docs/mapping.schema.json", config.Schema())
}

// TestSchemaMatchesTheParser holds every enum, range and pattern of the
// checked-in schema to what config.Parse accepts: a value the schema allows
// loads, and one it refuses does not.
func TestSchemaMatchesTheParser(t *testing.T) {
	var s map[string]any
	if err := json.Unmarshal(config.Schema(), &s); err != nil {
		t.Fatal(err)
	}
	at := func(path ...string) map[string]any {
		var cur any = s
		for _, p := range path {
			cur = cur.(map[string]any)[p]
		}
		return cur.(map[string]any)
	}
	// accepts reports whether the mapping loads without a finding at path.
	accepts := func(mapping, path string) bool {
		_, fs := parseBound("m.yaml", []byte(mapping), config.Env{Lookup: func(string) (string, bool) { return "", false }})
		for _, f := range fs {
			if f.Severity == config.SevError && strings.HasPrefix(f.Path, path) {
				return false
			}
		}
		return true
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	const source = "version: 1\nclaims: {a: {const: x}}\nsources:\n  s:\n    table: Tab\n    query: {partition: {pk: event.userName}}\n"
	enums := []struct {
		name, path string
		values     []string
		mapping    func(v string) string
	}{
		{"triggerVersion", "triggerVersion", strs(at("properties", "triggerVersion")["enum"]),
			func(v string) string { return "version: 1\nclaims: {a: {const: x}}\ntriggerVersion: " + v + "\n" }},
		{"onClaimError", "onClaimError", strs(at("properties", "onClaimError")["enum"]),
			func(v string) string { return "version: 1\nclaims: {a: {const: x}}\nonClaimError: " + v + "\n" }},
		{"a source's onError", "sources.s.onError", strs(at("$defs", "source", "properties", "onError")["enum"]),
			func(v string) string { return source + "    onError: " + v + "\n" }},
		{"a claim's tokens", "claims.a.tokens", strs(at("$defs", "claim", "properties", "tokens")["anyOf"].([]any)[0].(map[string]any)["enum"]),
			func(v string) string {
				return "version: 1\ntriggerVersion: V2_0\nclaims: {a: {const: x, tokens: [" + v + "]}}\n"
			}},
	}
	for _, e := range enums {
		t.Run("every "+e.name+" the schema lists loads, and no other", func(t *testing.T) {
			for _, v := range e.values {
				if !accepts(e.mapping(v), e.path) {
					t.Errorf("the schema allows %q, the parser refuses it", v)
				}
			}
			for _, v := range append([]string{"nope", "V4_0", "ID", "Fail"}, e.values[0]+"x") {
				if !slices.Contains(e.values, v) && accepts(e.mapping(v), e.path) {
					t.Errorf("the parser accepts %q, the schema does not list it", v)
				}
			}
		})
	}

	t.Run("a query's limit loads exactly in the schema's range", func(t *testing.T) {
		limit := at("$defs", "source", "properties", "limit")
		lo, hi := int(limit["minimum"].(float64)), int(limit["maximum"].(float64))
		for v, want := range map[int]bool{lo - 1: false, lo: true, hi: true, hi + 1: false} {
			if got := accepts(fmt.Sprintf("%s    limit: %d\n", source, v), "sources.s.limit"); got != want {
				t.Errorf("limit %d: parser accepts %v, schema range [%d, %d]", v, got, lo, hi)
			}
		}
	})

	t.Run("a duration loads exactly when the schema's pattern matches", func(t *testing.T) {
		for _, key := range []string{"timeout", "cache"} {
			var pattern string
			if key == "timeout" {
				pattern = at("properties", "timeout")["pattern"].(string)
			} else {
				// cache: is a duration or { ttl: duration, maxBytes: size }.
				pattern = at("$defs", "source", "properties", "cache")["oneOf"].([]any)[0].(map[string]any)["pattern"].(string)
			}
			re := regexp.MustCompile(pattern)
			// Zero durations match the pattern but are refused: a pattern
			// cannot say "positive" without look-ahead.
			for _, v := range []string{"2s", "1500ms", "1.5s", ".5s", "3.s", "1m", "1h", "250us", "250µs", "+1s", "1s500ms",
				"2", "s", "1 s", "-1s", "1d", "1.5", "ms", "1sms", "1e3ms", "0x10s"} {
				mapping := "version: 1\nclaims: {a: {const: x}}\ntimeout: \"" + v + "\"\n"
				path := "timeout"
				if key == "cache" {
					mapping, path = source+"    cache: \""+v+"\"\n", "sources.s.cache"
				}
				d, err := time.ParseDuration(v)
				tooLong := key == "timeout" && err == nil && d > config.MaxTimeout
				if got, want := accepts(mapping, path), re.MatchString(v) && !tooLong; got != want {
					t.Errorf("%s %q: parser accepts %v, pattern matches %v", key, v, got, re.MatchString(v))
				}
			}
		}
	})

	t.Run("the trigger versions are those mapper has events for", func(t *testing.T) {
		listed := strs(at("properties", "triggerVersion")["enum"])
		events := authoring.TriggerSettings()
		if !slices.Equal(listed, events) {
			t.Errorf("the schema and the parser list %v, mapper has events for %v", listed, events)
		}
	})

	t.Run("the version is the one the parser reads", func(t *testing.T) {
		if v := at("properties", "version")["const"].(float64); int(v) != config.Current {
			t.Errorf("schema version %v, parser %d", v, config.Current)
		}
	})
}
