package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/awsconfig"
	"github.com/claimsmapper/claimsmapper/internal/gitrev"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// ReadInput reads a file, or standard input for "-".
func ReadInput(path string, stdin io.Reader) ([]byte, error) {
	if path == "-" {
		return io.ReadAll(stdin)
	}
	return os.ReadFile(path)
}

// ReadMapping reads a mapping file (or standard input, "-"); its error
// says which file, in words: "cannot read the mapping m.yaml: there is no
// such file".
func ReadMapping(path string, stdin io.Reader) ([]byte, error) {
	src, err := ReadInput(path, stdin)
	if err != nil {
		return nil, fmt.Errorf("cannot read the mapping %s: %s", path, inlinetest.PlainIOError(err))
	}
	return src, nil
}

// StdinReaders counts the paths that name standard input: a command reads
// it for one of them at most.
func StdinReaders(paths ...string) int {
	n := 0
	for _, p := range paths {
		if p == "-" {
			n++
		}
	}
	return n
}

// readData reads a --data file; "-" is standard input, where the command
// has it to give (stdin nil: it does not).
func readData(path string, stdin io.Reader) (*localdata.Data, error) {
	if path == "-" && stdin == nil {
		return nil, fmt.Errorf("claimsmapper: this command cannot read --data from standard input; name a file")
	}
	src, err := ReadInput(path, stdin)
	if err != nil {
		return nil, fmt.Errorf("claimsmapper: cannot read the data file %s: %s", path, inlinetest.PlainIOError(err))
	}
	return localdata.Parse(path, src)
}

// OpenStore returns the store behind the mapping's sources: the --data
// file, or DynamoDB with the SDK's credentials when there is none.
func OpenStore(ctx context.Context, dataPath string, stdin io.Reader) (mapper.Store, error) {
	if dataPath == "" {
		cfg, err := awsconfig.API(ctx)
		if err != nil {
			return nil, fmt.Errorf("claimsmapper: DynamoDB: %w (or pass --data FILE with local tables)", err)
		}
		return dynamo.Open(cfg, nil), nil
	}
	return readData(dataPath, stdin)
}

// getObject reads the S3 object ref names (at loc) for ReadMappingRef.
type getObject func(ctx context.Context, ref string, loc publish.Location) (publish.Object, error)

// s3Object is the getObject of the command line: the SDK's credentials,
// its errors in words (publish.PlainAWS).
func s3Object(ctx context.Context, ref string, loc publish.Location) (publish.Object, error) {
	client, err := publish.NewClient(ctx)
	if err != nil {
		return publish.Object{}, fmt.Errorf("%s: %w", ref, publish.PlainAWS(err, ""))
	}
	obj, err := publish.Get(ctx, client, loc)
	return obj, publish.PlainAWS(err, "")
}

// ReadMappingRef reads a mapping from a file, standard input ("-"),
// s3://bucket/key[?versionId=V] (through get; nil is s3Object), or a git revision: git:REV
// is the file beside (the other mapping) at REV, and REV:PATH or
// git:REV:PATH a path at REV (see package gitrev).
func ReadMappingRef(ctx context.Context, ref, beside string, stdin io.Reader, get getObject) ([]byte, error) {
	if r, ok := gitrev.Parse(ref, fileExists); ok && ref != "-" {
		return gitrev.Read(ctx, r, beside)
	}
	if !strings.HasPrefix(ref, "s3://") {
		return ReadMapping(ref, stdin)
	}
	loc, err := publish.ParseLocation(ref)
	if err != nil {
		return nil, err
	}
	if get == nil {
		get = s3Object
	}
	obj, err := get(ctx, ref, loc)
	if err != nil {
		return nil, err
	}
	if !obj.Exists {
		return nil, fmt.Errorf("%s does not exist", ref)
	}
	return obj.Text, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// ReadDataFiles reads each --data file, as readData does.
func ReadDataFiles(paths []string, stdin io.Reader) ([]*localdata.Data, error) {
	var all []*localdata.Data
	for _, path := range paths {
		d, err := readData(path, stdin)
		if err != nil {
			return nil, err
		}
		all = append(all, d)
	}
	return all, nil
}
