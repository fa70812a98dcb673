package jsontext

import (
	"encoding/json"
	"testing"
)

// FuzzAppendString checks the quoting against encoding/json.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `"\`, "<&>", "\x00\x1f\x7f", "\u2028\u2029", "\xff", "日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := AppendString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: got %s, want x%s", s, got, want)
		}
	})
}
