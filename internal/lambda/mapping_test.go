package lambda

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// mappingWith returns a valid mapping with n constant claims.
func mappingWith(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nclaims:\n")
	for i := range n {
		fmt.Fprintf(&b, "  c%d: {const: v%d}\n", i, i)
	}
	return b.String()
}

const invalidMapping = "version: 1\nclaims:\n  sub: {const: x}\n  iss: {const: y}\n"

// object is the text as the fetcher returns it from s3://maps/m.yaml.
func object(text, etag string) mappingfile.Object {
	sum := sha256.Sum256([]byte(text))
	return mappingfile.Object{Text: []byte(text), Source: "s3://maps/m.yaml", ETag: etag, VersionID: "v-" + etag, SHA256: hex.EncodeToString(sum[:])}
}

// pending hands out the changes a test puts in it, one per invocation.
type pending struct{ next []mappingfile.Object }

func (p *pending) Changed(context.Context) (mappingfile.Object, bool) {
	if len(p.next) == 0 {
		return mappingfile.Object{}, false
	}
	obj := p.next[0]
	p.next = p.next[1:]
	return obj, true
}

type mappingsHarness struct {
	changes  pending
	logs     bytes.Buffer
	compiles atomic.Int32
	m        *mappings
}

func newMappingsHarness(t *testing.T, first mappingfile.Object) (*mappingsHarness, error) {
	t.Helper()
	h := &mappingsHarness{}
	compile := func(name string, src []byte) (*mapper.Mapper, error) {
		h.compiles.Add(1)
		mp, fs := loaded(mapper.Load(src, mapper.LoadOptions{File: name}))
		return mp, config.Errors(fs)
	}
	var err error
	h.m, err = newMappings(context.Background(), first, &h.changes, compile, time.Minute, NewLogger(&h.logs, slog.LevelDebug), nil)
	return h, err
}

func (h *mappingsHarness) claims() int {
	return len(h.m.Mapper(context.Background()).Mapping().Claims)
}

func TestMappings(t *testing.T) {
	t.Parallel()
	t.Run("the first mapping is logged with its source, version, digest and claims", func(t *testing.T) {
		t.Parallel()
		obj := object(mappingWith(2), `"e1"`)
		h, err := newMappingsHarness(t, obj)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`"msg":"mapping loaded","source":"s3://maps/m.yaml","trigger":"init","versionId":"v-\"e1\"","etag":"\"e1\"","sha256":"%s","claims":2,"sources":0`, obj.SHA256)
		if !strings.Contains(h.logs.String(), want) || !strings.Contains(h.logs.String(), `"refresh":60000000000`) {
			t.Errorf("logs lack %s:\n%s", want, h.logs.String())
		}
	})
	t.Run("an invalid first mapping fails with every finding logged", func(t *testing.T) {
		t.Parallel()
		h, err := newMappingsHarness(t, object(invalidMapping, `"e1"`))
		var ce *config.Error
		if !errors.As(err, &ce) || len(ce.Findings) < 2 {
			t.Fatalf("error %v, want a config.Error with two findings", err)
		}
		logs := h.logs.String()
		if n := strings.Count(logs, `"msg":"invalid mapping"`); n != len(ce.Findings) {
			t.Errorf("%d finding lines for %d findings:\n%s", n, len(ce.Findings), logs)
		}
		if !strings.Contains(logs, `s3://maps/m.yaml:3:3`) || strings.Contains(logs, "mapping loaded") {
			t.Errorf("findings do not name the object, or a load was logged:\n%s", logs)
		}
	})
	t.Run("a change replaces the mapping in the invocation that gets it", func(t *testing.T) {
		t.Parallel()
		h, _ := newMappingsHarness(t, object(mappingWith(1), `"e1"`))
		h.changes.next = append(h.changes.next, object(mappingWith(2), `"e2"`))
		if n := h.claims(); n != 2 {
			t.Fatalf("claims %d, want 2 from the new mapping", n)
		}
		if !strings.Contains(h.logs.String(), `"trigger":"refresh","versionId":"v-\"e2\""`) {
			t.Errorf("no refresh load logged:\n%s", h.logs.String())
		}
	})
	t.Run("an invalid change is rejected and logged, and the mapping in force stays", func(t *testing.T) {
		t.Parallel()
		good := object(mappingWith(1), `"e1"`)
		h, _ := newMappingsHarness(t, good)
		h.changes.next = append(h.changes.next, object(invalidMapping, `"e2"`))
		if n := h.claims(); n != 1 {
			t.Fatalf("claims %d, want the old mapping's 1", n)
		}
		logs := h.logs.String()
		for _, want := range []string{`"msg":"invalid mapping"`, `"msg":"mapping rejected, keeping the current mapping"`, `"activeSha256":"` + good.SHA256} {
			if !strings.Contains(logs, want) {
				t.Errorf("logs lack %s:\n%s", want, logs)
			}
		}
		h.changes.next = append(h.changes.next, object(mappingWith(4), `"e3"`))
		if n := h.claims(); n != 4 {
			t.Errorf("claims %d after the fix, want 4", n)
		}
	})
	t.Run("the same text under a new etag is not compiled again", func(t *testing.T) {
		t.Parallel()
		h, _ := newMappingsHarness(t, object(mappingWith(1), `"e1"`))
		h.changes.next = append(h.changes.next, object(mappingWith(1), `"other"`))
		h.claims()
		if n := h.compiles.Load(); n != 1 || h.m.cur.Load().obj.ETag != `"other"` {
			t.Errorf("%d compiles, etag %s; want 1 and the new etag", n, h.m.cur.Load().obj.ETag)
		}
		if !strings.Contains(h.logs.String(), `"msg":"mapping unchanged","source":"s3://maps/m.yaml","etag":"\"other\""`) {
			t.Errorf("the new etag is not logged:\n%s", h.logs.String())
		}
	})
}

func TestMappingsCountRefreshOutcomes(t *testing.T) {
	t.Parallel()
	first := object(mappingWith(1), `"e1"`)
	h, err := newMappingsHarness(t, first)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	h.m.refreshed = func(o string) { outcomes = append(outcomes, o) }
	for _, obj := range []mappingfile.Object{object(invalidMapping, `"e2"`), object(mappingWith(1), `"e3"`), object(mappingWith(2), `"e4"`)} {
		h.changes.next = append(h.changes.next, obj)
		h.claims()
	}
	if want := []string{RefreshRejected, RefreshUnchanged, RefreshUpdated}; fmt.Sprint(outcomes) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
	_, v := h.m.Current(context.Background())
	if v.VersionID != `v-"e4"` || v.SHA256 != object(mappingWith(2), "").SHA256[:ShortSHA] {
		t.Errorf("version %+v, want the updated mapping's", v)
	}
}

// loaded is every finding of mapper.Load with its Mapper, as the tests
// before Load returned an error read them.
func loaded(mp *mapper.Mapper, warnings []config.Finding, err error) (*mapper.Mapper, []config.Finding) {
	return mp, authoring.Findings(mp, warnings, err)
}
