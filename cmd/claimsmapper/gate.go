package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/awsconfig"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/publish"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
)

// gateFlags are the options of the gate publish and rollback share.
type gateFlags struct {
	diffFlags
	strict  bool
	yes     bool
	author  string
	message string
	// allowVersionChange lets a mapping change triggerVersion, once the
	// pool has been redeployed with the new one.
	allowVersionChange bool
	// signKey is the KMS key the version is signed with ("" for none).
	signKey string
}

func (g *gateFlags) register(fs *flag.FlagSet) {
	g.diffFlags.register(fs)
	fs.BoolVar(&g.strict, "strict", false, "")
	fs.BoolVar(&g.yes, "yes", false, "")
	fs.StringVar(&g.author, "author", "", "")
	fs.StringVar(&g.message, "message", "", "")
	fs.BoolVar(&g.allowVersionChange, "allow-version-change", false, "")
	fs.StringVar(&g.signKey, "sign-key", "", "")
}

// gateUsage documents the gate's options for publish and rollback.
const gateUsage = `The gate (every step must pass):
  1. lint: no errors (with --strict, no warnings either)
  2. the mapping's inline tests (tests:) pass
  3. the change is shown: the mapping's lines, and with --events, --users,
     --user or --sample, every user's tokens before and after (as
     claimsmapper diff)
  4. you confirm, in a terminal; --yes confirms for scripts and CI
A mapping whose triggerVersion differs from the one in force is refused:
the user pool's trigger version changes only when the pool is redeployed.

Options:
  --strict           refuse warnings too
  --allow-version-change
                     accept a changed triggerVersion, once the user pool has
                     been redeployed with the new one
  --yes              do not ask for confirmation
  --message TEXT     why, recorded on the version (history shows it)
  --author NAME      who, recorded on the version when AWS cannot say:
                     by default the caller's identity (STS GetCallerIdentity)
  --sign-key KEY     sign the version with this AWS KMS asymmetric key (id,
                     ARN or alias/NAME; needs kms:Sign and kms:GetPublicKey):
                     functions with CLAIMS_MAPPING_VERIFY_KEY load only
                     versions signed with their key. Without it, a signed
                     version in force is not replaced by an unsigned one
  --events PATH, --users FILE, --user NAME, --sample TABLE[:N], --event FILE,
  --group NAME, --data FILE, --env NAME=VALUE, --show-values, --show-users
                     the users whose tokens to compare, as for diff
`

// localChecks are the gate's steps that need nothing but the mapping: lint
// and the inline tests. They run before any call to AWS, so that a mistake
// is found without credentials, and publish --dry-run runs them alone. ok
// false means refused, with the exit code.
func localChecks(ctx context.Context, verb, file string, src []byte, g gateFlags, stdout, stderr io.Writer) (code int, ok bool) {
	name := "claimsmapper " + verb
	r, err := g.open(file, src).Gate(ctx, workspace.GateOptions{Strict: g.strict})
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return exitUsage, false
	}
	for _, f := range r.Findings {
		printTextFinding(stdout, f, src)
	}
	if r.Stopped == workspace.StepLint {
		what := "errors"
		if g.strict {
			what = "errors or warnings (--strict)"
		}
		fmt.Fprintf(stderr, "%s: refused: lint found %d %s in %s; fix them and try again\n", name, r.Refused, what, file)
		return exitFailed, false
	}
	fmt.Fprintf(stdout, "lint: ok (%d finding(s), none refused)\n", len(r.Findings))
	if len(r.Tests.Outcomes) == 0 {
		fmt.Fprintf(stdout, "tests: none; a tests: section would catch mistakes before they ship (see docs/mapping.md)\n")
	} else {
		fmt.Fprint(stdout, "tests: ")
		inlinetest.WriteText(stdout, []inlinetest.FileOutcomes{r.Tests})
	}
	if r.Stopped == workspace.StepTests {
		fmt.Fprintf(stderr, "%s: refused: %d inline test(s) of %s fail; fix the mapping or the tests and try again\n", name, r.Failed, file)
		return exitFailed, false
	}
	return 0, true
}

// previous is the version a change is shown against: the one in force, or
// for a dry run the one named.
type previous struct {
	// name is how the change names it: s3://bucket/key (version V), or the
	// file or git revision it was read from.
	name   string
	text   []byte
	exists bool
}

// review shows the change against the previous version, after the local
// checks: a changed triggerVersion (refused without
// --allow-version-change), the mapping's lines, and with user flags every
// user's tokens before and after. It returns how many users' tokens change.
func review(ctx context.Context, verb, file string, src []byte, target fmt.Stringer, prev previous, g gateFlags, stdout, stderr io.Writer) (users, code int, ok bool) {
	name := "claimsmapper " + verb
	if !prev.exists {
		fmt.Fprintln(stdout)
		fmt.Fprintf(stdout, "%s holds no mapping yet: this is its first version.\n", target)
		return 0, 0, true
	}
	var cmp *workspace.Comparison
	if g.any() {
		c := g.comparison()
		cmp = &c
	}
	r, err := g.open(file, src).Review(ctx, g.open(prev.name, prev.text), workspace.ReviewOptions{Compare: cmp, AllowVersionChange: g.allowVersionChange})
	if r.VersionChanged {
		if !g.allowVersionChange {
			fmt.Fprintf(stderr, "%s: refused: %s\n", name, r.VersionChange.Refusal(verb))
			return 0, exitFailed, false
		}
		fmt.Fprintln(stdout, r.VersionChange.Note())
	}
	fmt.Fprintln(stdout)
	changes.WriteTextDiff(stdout, prev.name, file, prev.text, src)
	switch {
	case cmp == nil:
		fmt.Fprint(stdout, "\n(pass --events, --users, --user or --sample to see which users' tokens change)\n")
		return 0, 0, true
	case r.PreviousBroken != nil:
		fmt.Fprintf(stdout, "\nThe previous mapping does not load with this claimsmapper, so tokens cannot be compared:\n%v\n", r.PreviousBroken)
		return 0, 0, true
	case err != nil:
		fmt.Fprintln(stdout)
		fmt.Fprintln(stderr, diffError(err))
		return 0, exitUsage, false
	}
	fmt.Fprintln(stdout)
	if err := changes.Write(stdout, r.Changes, g.writeOptions(changes.FormatText, prev.text, src)); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 0, exitUsage, false
	}
	return r.Changes.Changed, 0, true
}

// gate checks a mapping before it goes live, once the local checks have
// passed: the change shown against the version in force, and the person's
// confirmation. ok false means refused, with the exit code.
func gate(ctx context.Context, verb, file string, src []byte, loc publish.Location, current publish.Object, g gateFlags, stdin io.Reader, stdout, stderr io.Writer) (code int, ok bool) {
	name := "claimsmapper " + verb
	prev := previous{name: fmt.Sprintf("%s (version %s)", loc, current.VersionID), text: current.Text, exists: current.Exists}
	users, code, ok := review(ctx, verb, file, src, loc, prev, g, stdout, stderr)
	if !ok {
		return code, false
	}
	fmt.Fprintln(stdout)
	if g.yes {
		return 0, true
	}
	question := fmt.Sprintf("%s %s to %s?", strings.ToUpper(verb[:1])+verb[1:], file, loc)
	if users > 0 {
		question += fmt.Sprintf(" It changes the tokens of %d user(s) above.", users)
	}
	if !isTerminalReader(stdin) {
		fmt.Fprintf(stderr, "%s: not confirmed: no terminal to ask in; review the change above and pass --yes\n", name)
		return exitFailed, false
	}
	if !confirm(stdin, stdout, question) {
		fmt.Fprintf(stderr, "%s: not confirmed: nothing was written\n", name)
		return exitFailed, false
	}
	return 0, true
}

// confirm asks a yes/no question; only y or yes (any case) says yes.
func confirm(in io.Reader, out io.Writer, question string) bool {
	fmt.Fprintf(out, "%s [y/N] ", question)
	line, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true
	}
	return false
}

// isTerminalReader reports whether r is an interactive terminal.
func isTerminalReader(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// author is who a publish is recorded as: the caller's AWS identity, or
// --author when AWS cannot say (a local S3 server, no STS access).
func author(ctx context.Context, flagAuthor string) (string, error) {
	arn, ok, err := publish.CallerARN(ctx)
	switch {
	case ok:
		return arn, nil
	case flagAuthor != "":
		return flagAuthor, nil
	case err != nil:
		return "", fmt.Errorf("cannot tell who is publishing (%v): pass --author NAME", err)
	}
	return "", fmt.Errorf("cannot tell who is publishing: S3 is a local server and there is no STS to ask; pass --author NAME")
}

// s3Target parses the s3:// argument and builds the client for it.
func s3Target(ctx context.Context, uri string) (publish.Location, publish.API, error) {
	loc, err := s3Location(uri)
	if err != nil {
		return loc, nil, err
	}
	client, err := s3Client(ctx)
	return loc, client, plainAWS(err, "")
}

// s3Location parses the s3:// argument, without calling AWS.
func s3Location(uri string) (publish.Location, error) {
	loc, err := publish.ParseLocation(uri)
	if err != nil {
		return loc, err
	}
	if loc.VersionID != "" {
		return loc, fmt.Errorf("%q: name the object without ?versionId", uri)
	}
	return loc, nil
}

// s3Client builds the S3 client publish, history and rollback use; it
// calls no AWS service yet.
func s3Client(ctx context.Context) (publish.API, error) {
	client, err := awsconfig.NewS3Client(ctx)
	if err != nil {
		return nil, err
	}
	return client, nil
}
