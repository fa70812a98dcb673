package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/internal/termtext"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
)

const publishUsage = `Usage: claimsmapper publish [options] FILE s3://bucket/key
       claimsmapper publish --dry-run [--against OLD] [options] FILE s3://bucket/key

Ships a mapping: the new version of the S3 object the function reads
(CLAIMS_MAPPING_URI), behind a gate. The bucket must keep versions, so that
claimsmapper rollback can undo it.

The write is conditional on the object being the one you reviewed: if
someone publishes in between, nothing is written and you are told. The
version records the mapping's sha256, this claimsmapper's version, who
published it and --message; claimsmapper history lists them.

The local checks (lint and the inline tests) run before any call to AWS.
With --dry-run nothing calls AWS: the checks run, the change is shown
against OLD, and publish says what it would upload where. Its users'
tokens are compared on --data (no --sample): DynamoDB is not read.

  --dry-run          check and show, write nothing, call no AWS service
  --against OLD      with --dry-run, the version to show the change against:
                     a file, git:REV (this FILE at a git revision, e.g.
                     git:HEAD), REV:PATH, or s3://bucket/key (read from S3);
                     by default FILE as the last commit has it (git:HEAD)

` + gateUsage + `
Exit codes: 0 published (or already in force); 1 refused by the gate, not
confirmed, or someone else published first; 2 usage, or S3 cannot be read.
`

func runPublish(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("publish", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var g gateFlags
	g.register(fs)
	dryRun := fs.Bool("dry-run", false, "")
	against := fs.String("against", "", "")
	rest, code, ok := cli.ParseInterspersed(fs, args, publishUsage, stdout, stderr)
	if !ok {
		return code
	}
	if len(rest) != 2 {
		fmt.Fprint(stderr, "claimsmapper publish: name the mapping file and the s3://bucket/key to publish it to\n\n"+publishUsage)
		return cli.ExitUsage
	}
	file := rest[0]
	if *against != "" && !*dryRun {
		fmt.Fprint(stderr, "claimsmapper publish: --against goes with --dry-run; a publish compares with the version in force\n")
		return cli.ExitUsage
	}
	if *against == "-" && file == "-" {
		fmt.Fprint(stderr, "claimsmapper publish: only one of FILE and --against can read standard input\n")
		return cli.ExitUsage
	}
	if *dryRun && g.Sample != "" {
		fmt.Fprint(stderr, "claimsmapper publish: --sample reads its users from DynamoDB, and --dry-run calls no AWS service: name them with --users, --user or --events, and give their items with --data\n")
		return cli.ExitUsage
	}
	if file == "-" && !g.yes && !*dryRun {
		fmt.Fprint(stderr, "claimsmapper publish: a mapping read from standard input needs --yes, since there is no terminal left to confirm in\n")
		return cli.ExitUsage
	}
	if err := g.checkPublishFlags(); err != nil {
		fmt.Fprintf(stderr, "claimsmapper publish: %v\n", err)
		return cli.ExitUsage
	}
	src, err := cli.ReadInput(file, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper publish: cannot read the mapping: %v\n", err)
		return cli.ExitUsage
	}
	loc, err := publish.ParseTarget(rest[1])
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper publish: %v\n", err)
		return cli.ExitUsage
	}
	w := g.Open(file, src)
	// The checks that need no AWS come first: a mistake is found before
	// any credentials are asked for.
	if code, ok := localChecks(ctx, "publish", w, g, stdout, stderr); !ok {
		return code
	}
	if *dryRun {
		return dryRunPublish(ctx, w, loc, *against, g, stdin, stdout, stderr)
	}
	api, err := publish.NewClient(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper publish: %v\n", publish.PlainAWS(err, "publish --dry-run"))
		return cli.ExitUsage
	}
	signer, err := publish.NewSigner(ctx, g.signKey)
	if err != nil {
		fmt.Fprintf(stderr, "claimsmapper publish: %v\n", publish.PlainAWS(err, ""))
		return cli.ExitUsage
	}
	return ship(ctx, "publish", w, workspace.Ship{API: api, Target: loc, Signer: signer, DryRun: "publish --dry-run"}, g, g.message, stdin, stdout, stderr)
}

// dryRunPublish shows the change against OLD (by default FILE as git's
// HEAD has it), once the local checks passed, then says what publish would
// upload where. It calls no AWS service unless OLD is an s3:// object.
func dryRunPublish(ctx context.Context, w *workspace.Workspace, loc publish.Location, against string, g gateFlags, stdin io.Reader, stdout, stderr io.Writer) int {
	const name = "claimsmapper publish"
	file, src := w.File(), w.Source()
	prev, err := workspace.DryRunPrevious(ctx, file, against, func(ctx context.Context, ref, beside string) ([]byte, error) {
		return cli.ReadMappingRef(ctx, ref, beside, stdin, nil)
	})
	if err != nil {
		fmt.Fprintf(stderr, "%s: --against: %v\n", name, err)
		return cli.ExitUsage
	}
	if prev.Exists {
		g.offline = true
		r, err := w.ReviewPrevious(ctx, prev, g.reviewOptions())
		if _, code, ok := review("publish", w, loc, prev, r, err, g, stdout, stderr); !ok {
			return code
		}
	} else {
		why := file + " is not committed to git"
		if file == "-" {
			why = "the mapping comes from standard input"
		}
		fmt.Fprintf(stdout, "\n(no previous version to compare with: %s; pass --against OLD, a file, git:REV or s3://bucket/key)\n", why)
	}
	what := file
	if file == "-" {
		what = "the mapping read from standard input"
	}
	fmt.Fprintf(stdout, "\ndry run: publish would upload %s (%d bytes, sha256 %s) as a new version of %s,\n", what, len(src), mappingfile.SHA256(src)[:12], loc)
	fmt.Fprint(stdout, "written only if the version in force is still the one it compares with, and recorded with this claimsmapper's version, ")
	if g.message != "" {
		fmt.Fprintf(stdout, "the message %q", termtext.Line(g.message))
	} else {
		fmt.Fprint(stdout, "no message (add --message WHY)")
	}
	fmt.Fprint(stdout, " and who publishes (the AWS identity, or --author).\nNothing was written and no AWS service was called")
	if strings.HasPrefix(against, "s3://") {
		fmt.Fprint(stdout, " but the read of "+against)
	}
	fmt.Fprint(stdout, ".\n")
	return cli.ExitOK
}

// checkPublishFlags validates what is recorded on the version.
func (g *gateFlags) checkPublishFlags() error {
	if g.Any() {
		if err := g.Check(); err != nil {
			return err
		}
	}
	// A commit message can be long or cut mid-character by a script: the
	// message is kept as far as it fits (publish.Metadata) rather than
	// refused.
	g.message = strings.ToValidUTF8(g.message, "\uFFFD")
	if len(g.author) > 256 || !utf8.ValidString(g.author) {
		return errors.New("--author should be text of at most 256 bytes")
	}
	return nil
}

// ship renders the workspace's shipment of w: the version in force read,
// the change reviewed and confirmed, then written with message.
func ship(ctx context.Context, verb string, w *workspace.Workspace, s workspace.Ship, g gateFlags, message string, stdin io.Reader, stdout, stderr io.Writer) int {
	name := "claimsmapper " + verb
	s.Review = g.reviewOptions()
	plan, err := w.PrepareShip(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return cli.ExitUsage
	}
	switch plan.Stopped {
	case workspace.ShipUnsigned:
		fmt.Fprintf(stderr, "%s: refused: %s\n", name, termtext.Line(plan.Refusal.Error()))
		return cli.ExitFailed
	case workspace.ShipSame:
		fmt.Fprintf(stdout, "%s already holds this mapping (version %s): nothing to %s\n", s.Target, plan.Current.VersionID, verb)
		return cli.ExitOK
	}
	users, code, ok := review(verb, w, s.Target, plan.Previous, plan.Review, plan.ReviewErr, g, stdout, stderr)
	if !ok {
		return code
	}
	if code, ok := confirmed(verb, w.File(), s.Target, users, g, stdin, stdout, stderr); !ok {
		return code
	}
	done, err := plan.Write(ctx, publish.Metadata{Version: version, Message: message}, g.author)
	var race *publish.RaceError
	switch {
	case errors.As(err, &race):
		fmt.Fprintf(stderr, "%s: refused: %v\n", name, err)
		return cli.ExitFailed
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return cli.ExitUsage
	}
	signed := ""
	if s.Signer != nil {
		signed = ", signed with " + publish.ShortKey(s.Signer.KeyID)
	}
	fmt.Fprintf(stdout, "published %s as version %s (sha256 %s, by %s%s)\n", s.Target, done.VersionID, done.SHA256[:12], termtext.Line(done.Author), signed)
	fmt.Fprintf(stdout, "functions with CLAIMS_MAPPING_REFRESH pick it up at their next check; undo with: claimsmapper rollback %s\n", s.Target)
	return cli.ExitOK
}
