package publish_test

import (
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/publish"
)

func TestTriggerVersionChange(t *testing.T) {
	t.Parallel()
	mapping := func(v string) []byte {
		s := "version: 1\n"
		if v != "" {
			s += "triggerVersion: " + v + "\n"
		}
		// A ${NAME} the gate cannot resolve does not hide the version.
		return []byte(s + "sources:\n  u: {table: '${TABLE_NAME}', key: {id: event.userName}}\nclaims:\n  a: u.a\n")
	}
	tests := []struct {
		name          string
		current, next []byte
		changed       bool
		from, to      string
	}{
		{"the same version is no change", mapping("V2_0"), mapping("V2_0"), false, "", ""},
		{"neither says: no change", mapping(""), mapping(""), false, "", ""},
		{"V1_0 to V2_0", mapping("V1_0"), mapping("V2_0"), true, "V1_0", "V2_0"},
		{"V3_0 to V1_0", mapping("V3_0"), mapping("V1_0"), true, "V3_0", "V1_0"},
		{"a version added where there was none", mapping(""), mapping("V2_0"), true, "", "V2_0"},
		{"a version removed", mapping("V2_0"), mapping(""), true, "V2_0", ""},
		{"a mapping in force that is not YAML says nothing", []byte("{{{"), mapping("V2_0"), false, "", ""},
		{"a mapping in force too large to read says nothing", make([]byte, 2<<20), mapping("V2_0"), false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vc, changed := publish.TriggerVersionChange(tt.current, tt.next)
			if changed != tt.changed || vc.From != tt.from || vc.To != tt.to {
				t.Errorf("got %+v, %v; want {%s %s}, %v", vc, changed, tt.from, tt.to, tt.changed)
			}
		})
	}
}

func TestVersionChangeRefusalSaysRedeployFirst(t *testing.T) {
	t.Parallel()
	msg := publish.VersionChange{From: "", To: "V2_0"}.Refusal("publish")
	for _, want := range []string{"from (not set) to V2_0", "redeployed with V2_0 first", "publish again with --allow-version-change"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if msg := (publish.VersionChange{From: "V2_0"}).Refusal("rollback"); !strings.Contains(msg, "redeployed with the version this mapping is written for first") || !strings.Contains(msg, "rollback again") {
		t.Errorf("removing the version: %q", msg)
	}
}
