package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/internal/termtext"
)

const rollbackUsage = `Usage: claimsmapper rollback [--to VERSION] [options] s3://bucket/key

Makes an earlier version of a published mapping the one in force again, by
publishing its text as a new version (so the rollback itself shows in
history and can be undone). Without --to, it goes back to the version
before the one in force. The earlier version passes the same gate as a
publish, with today's rules: a mapping that no longer lints is refused.

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
	rest, code, ok := parseInterspersed(fs, args, rollbackUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(rest) != 1 {
		fmt.Fprint(stderr, "claimsmapper rollback: name one s3://bucket/key\n\n"+rollbackUsage)
		return exitUsage
	}
	if err := g.checkPublishFlags(); err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return exitUsage
	}
	loc, api, err := s3Target(ctx, rest[0])
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return exitUsage
	}
	vs, err := publish.History(ctx, api, loc, 1000)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", plainAWS(err, ""))
		return exitUsage
	}
	var target publish.Version
	if *to == "" {
		v, ok := publish.Previous(vs)
		if !ok {
			fmt.Fprintf(stderr, "claimsmapper rollback: %s has no earlier version to go back to\n", loc)
			return exitUsage
		}
		target = v
	} else {
		found := false
		for _, v := range vs {
			if v.VersionID == *to {
				target, found = v, true
				break
			}
		}
		switch {
		case !found:
			fmt.Fprintf(stderr, "claimsmapper rollback: %s has no version %q; claimsmapper history %s lists them\n", loc, *to, loc)
			return exitUsage
		case target.Deleted:
			fmt.Fprintf(stderr, "claimsmapper rollback: version %q of %s is a deletion, not a mapping; pick another with claimsmapper history\n", *to, loc)
			return exitUsage
		case target.Latest:
			fmt.Fprintf(stderr, "claimsmapper rollback: version %q is already in force\n", *to)
			return exitOK
		}
	}
	vloc := loc
	vloc.VersionID = target.VersionID
	obj, err := publish.Get(ctx, api, vloc)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return exitUsage
	}
	signer, err := newSigner(ctx, g.signKey)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: %v\n", err)
		return exitUsage
	}
	if err := publish.CheckRollbackTarget(loc, obj, signer); err != nil {
		fmt.Fprintf(stderr, "claimsmapper rollback: refused: %v\n", termtext.Line(err.Error()))
		return exitFailed
	}
	fmt.Fprintf(stdout, "rolling back %s to version %s (published %s by %s)\n\n", loc, target.VersionID,
		target.Time.UTC().Format("2006-01-02 15:04:05 UTC"), orUnknown(termtext.Line(target.Meta.Author)))
	if target.Meta.SHA256 != "" && target.Meta.SHA256 != mappingfile.SHA256(obj.Text) {
		fmt.Fprintf(stdout, "warning: the text of version %s does not have the sha256 recorded when it was published (%s): it was written by other means; read the change below with care\n\n", target.VersionID, termtext.Line(target.Meta.SHA256))
	}
	message := "rollback to version " + target.VersionID
	if g.message != "" {
		message += ": " + g.message
	}
	if code, ok := localChecks(ctx, "rollback", vloc.String(), obj.Text, g, stdout, stderr); !ok {
		return code
	}
	return ship(ctx, "rollback", vloc.String(), obj.Text, loc, api, g, message, signer, stdin, stdout, stderr)
}

func orUnknown(s string) string {
	if s == "" {
		return "someone, not with claimsmapper"
	}
	return s
}
