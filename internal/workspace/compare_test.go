package workspace

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestABrokenTemplateIsNamedByItsFileOrAsTheTemplate(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "template.json")
	if err := os.WriteFile(file, []byte("[1, 2]"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		users Users
		want  string
	}{
		{"a template given as bytes", Users{Names: []string{"ana"}, Template: []byte("[1, 2]")}, "the template event: "},
		{"a template given as bytes, with groups", Users{Names: []string{"ana"}, Template: []byte("null"), Groups: []string{"admins"}}, "the template event: "},
		{"a template read from a file", Users{Names: []string{"ana"}, TemplateFile: file}, file + ": the template event: "},
		{"a template read from a file, with groups", Users{Names: []string{"ana"}, TemplateFile: file, Groups: []string{"admins"}}, file + ": the template event: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.users.Cases(context.Background())
			if err == nil {
				t.Fatal("a template that is not an event object was accepted")
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.want) || strings.Contains(msg, "[]interface") || strings.Contains(msg, "map[string]") {
				t.Errorf("the message is %q; want it to start %q and name no Go type", msg, tt.want)
			}
		})
	}
}
