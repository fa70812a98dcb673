package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/publish"
)

func TestReadingInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.yaml")
	if _, err := ReadMapping(missing, nil); err == nil || err.Error() != "cannot read the mapping "+missing+": there is no such file" {
		t.Errorf("ReadMapping: %v", err)
	}
	if src, err := ReadMapping("-", strings.NewReader("claims: {}\n")); err != nil || string(src) != "claims: {}\n" {
		t.Errorf("ReadMapping(-): %q, %v", src, err)
	}
	if _, err := readData("-", nil); err == nil || !strings.Contains(err.Error(), "cannot read --data from standard input; name a file") {
		t.Errorf("readData(-) without stdin: %v", err)
	}
	if _, err := readData(missing, nil); err == nil || err.Error() != "claimsmapper: cannot read the data file "+missing+": there is no such file" {
		t.Errorf("readData: %v", err)
	}
	if _, err := OpenStore(context.Background(), missing, nil); err == nil {
		t.Error("OpenStore of a missing file: no error")
	}
	if n := StdinReaders("-", "a", "-", ""); n != 2 {
		t.Errorf("StdinReaders = %d", n)
	}
}

func TestReadMappingRef(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(file, []byte("claims: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	noS3 := func(context.Context, string, publish.Location) (publish.Object, error) {
		t.Error("S3 read for a file")
		return publish.Object{}, nil
	}
	ctx := context.Background()
	if src, err := ReadMappingRef(ctx, file, "", nil, noS3); err != nil || string(src) != "claims: {}\n" {
		t.Errorf("file: %q, %v", src, err)
	}
	if src, err := ReadMappingRef(ctx, "-", file, strings.NewReader("x: 1\n"), noS3); err != nil || string(src) != "x: 1\n" {
		t.Errorf("stdin: %q, %v", src, err)
	}
	if _, err := ReadMappingRef(ctx, filepath.Join(dir, "none.yaml"), "", nil, noS3); err == nil || err.Error() != "cannot read the mapping "+filepath.Join(dir, "none.yaml")+": there is no such file" {
		t.Errorf("missing file: %v", err)
	}
	absent := func(context.Context, string, publish.Location) (publish.Object, error) { return publish.Object{}, nil }
	if _, err := ReadMappingRef(ctx, "s3://b/k.yaml", "", nil, absent); err == nil || err.Error() != "s3://b/k.yaml does not exist" {
		t.Errorf("absent object: %v", err)
	}
	denied := errors.New("access denied")
	failing := func(context.Context, string, publish.Location) (publish.Object, error) {
		return publish.Object{}, denied
	}
	if _, err := ReadMappingRef(ctx, "s3://b/k.yaml", "", nil, failing); !errors.Is(err, denied) {
		t.Errorf("failed read: %v", err)
	}
	if _, err := ReadMappingRef(ctx, "s3://", "", nil, noS3); err == nil {
		t.Error("s3:// with no bucket: no error")
	}
	found := func(_ context.Context, _ string, loc publish.Location) (publish.Object, error) {
		var o publish.Object
		o.Exists, o.Text = true, []byte(loc.Bucket+"/"+loc.Key)
		return o, nil
	}
	if src, err := ReadMappingRef(ctx, "s3://b/k.yaml", "", nil, found); err != nil || string(src) != "b/k.yaml" {
		t.Errorf("object: %q, %v", src, err)
	}
}
