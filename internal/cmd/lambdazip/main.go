// Command lambdazip writes a Lambda deployment package: one zip holding the
// given executable as "bootstrap" at the root, mode 0755, with a fixed
// modification time. The same binary therefore always gives the same zip,
// so tools that hash the package (CDK assets, S3 ETags) see no change when
// nothing changed. `make package` runs it; it is not part of the product.
package main

import (
	"archive/zip"
	"compress/flate"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	out := flag.String("o", "", "zip file to write")
	flag.Parse()
	if *out == "" || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: lambdazip -o package.zip path/to/bootstrap")
		os.Exit(2)
	}
	if err := write(*out, flag.Arg(0)); err != nil {
		fmt.Fprintf(os.Stderr, "lambdazip: %v\n", err)
		os.Exit(1)
	}
}

func write(out, exe string) (err error) {
	in, err := os.Open(exe)
	if err != nil {
		return err
	}
	defer in.Close()
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	zw := zip.NewWriter(f)
	// The best compression Deflate offers: the zip is written once and
	// uploaded at every deploy; Lambda unpacks it once per cold start, and
	// inflating costs the same at any level.
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
	// Lambda runs bootstrap directly: without the executable bit in the
	// zip's Unix attributes the init fails with "permission denied".
	h.SetMode(0o755)
	w, err := zw.CreateHeader(h)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, in); err != nil {
		return fmt.Errorf("%s: %w", exe, err)
	}
	return zw.Close()
}
