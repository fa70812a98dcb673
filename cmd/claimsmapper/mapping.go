package main

import (
	"context"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/cliflag"
)

// readMappingRef reads a mapping from a file, standard input, S3 or a git
// revision, as cliflag.ReadMappingRef does.
func readMappingRef(ctx context.Context, ref, beside string, stdin io.Reader) ([]byte, error) {
	return cliflag.ReadMappingRef(ctx, ref, beside, stdin, nil)
}
