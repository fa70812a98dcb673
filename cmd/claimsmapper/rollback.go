package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/internal/termtext"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
)

const rollbackUsage = `Usage: claimsmapper rollback [--to VERSION] [options] s3://bucket/key

Makes an earlier version of a published mapping the one in force again, by
publishing its text as a new version (so the rollback itself shows in
history and can be undone). Without --to, it goes back to the version
before the one in force. The earlier version passes the same gate as a
publish, with today's rules: a mapping that no longer lints is refused.
Its inline tests read their files from the current folder; a test whose
file is not there is reported as not run, so run rollback from the folder
that holds the mapping's test files to run them.

  --to VERSION       the version id to go back to (see claimsmapper history)

` + gateUsage + `
Exit codes: 0 rolled back; 1 refused by the gate, not confirmed, or someone
else published first; 2 usage, no such version, or S3 cannot be read.
`

func runRollback(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("rollback", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var g gateFlags
	g.register(fs)
	to := fs.String("to", "", "")
	rest, code, ok := cli.ParseInterspersed(fs, args, rollbackUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, "claimsmapper rollback: name one s3://bucket/key\n\n"+rollbackUsage)
		return cli.ExitUsage
	}
	if err := g.checkPublishFlags(); err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return cli.ExitUsage
	}
	loc, api, err := publish.Open(ctx, rest[0])
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return cli.ExitUsage
	}
	rb, err := publish.FindRollback(ctx, api, loc, *to)
	var inForce *publish.InForceError
	switch {
	case errors.As(err, &inForce):
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return cli.ExitOK
	case err != nil:
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return cli.ExitUsage
	}
	signer, err := publish.NewSigner(ctx, g.signKey)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return cli.ExitUsage
	}
	if err := publish.CheckRollbackTarget(loc, rb.Object, signer); err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: refused: %v\n", termtext.Line(err.Error()))
		return cli.ExitFailed
	}
	v := rb.Version
	fmt.Fprintf(stdout, "rolling back %s to version %s (published %s by %s)\n\n", loc, v.VersionID,
		v.Time.UTC().Format("2006-01-02 15:04:05 UTC"), orUnknown(termtext.Line(v.Meta.Author)))
	if rb.TextDiffers() {
		fmt.Fprintf(stdout, "warning: the text of version %s does not have the sha256 recorded when it was published (%s): it was written by other means; read the change below with care\n\n", v.VersionID, termtext.Line(v.Meta.SHA256))
	}
	// The version's tests' files were never published with it: they are
	// read from the current folder, and a test whose file is not there is
	// not run rather than refusing the rollback.
	w := g.OpenRemote(rb.Location.String(), rb.Object.Text)
	if code, ok := localChecks(ctx, "rollback", w, g, stdout, stderr); !ok {
		return code
	}
	return ship(ctx, "rollback", w, workspace.Ship{API: api, Target: loc, Signer: signer}, g, rb.Message(g.message), stdin, stdout, stderr)
}

func orUnknown(s string) string {
	if s == "" {
		return "someone, not with claimsmapper"
	}
	return s
}
