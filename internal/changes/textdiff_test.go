package changes

import (
	"strings"
	"testing"
)

func TestWriteTextDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, a, b, want string
	}{
		{"a changed line with context", "a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n", "--- old\n+++ new\n     2  b\n-    3  c\n+    3  X\n     4  d\n"},
		{"an added line at the end", "a\n", "a\nb\n", "--- old\n+++ new\n     1  a\n+    2  b\n"},
		{"the same text", "a\n", "a\r\n", "--- old\n+++ new\n(the texts are the same)\n"},
		{"two runs apart", "1\n2\n3\n4\n5\n6\n", "0\n2\n3\n4\n5\n7\n", "--- old\n+++ new\n-    1  1\n+    1  0\n     2  2\n  …\n     5  5\n-    6  6\n+    6  7\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			WriteTextDiff(&b, "old", "new", []byte(tt.a), []byte(tt.b))
			if b.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}

// FuzzParseUsers: a users file of any content gives users or an error, never a panic.
func FuzzParseUsers(f *testing.F) {
	f.Add([]byte("ben\n# comment\n0f8fad5b-d9cb-469f-a165-70867728950e\n"))
	f.Add([]byte("jdoe ben\n"))
	f.Add([]byte("\xff\xfe\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		keys, err := ParseUsers("users.txt", src)
		if err == nil && len(keys) == 0 {
			t.Error("no users and no error")
		}
		if err == nil {
			if _, err := Expand(DefaultTemplate, keys); err != nil && !strings.Contains(err.Error(), "the event") {
				t.Errorf("Expand: %v", err)
			}
		}
	})
}
