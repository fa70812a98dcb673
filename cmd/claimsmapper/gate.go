package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/internal/termtext"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
)

// gateFlags are the options of the gate publish and rollback share.
type gateFlags struct {
	cli.UserFlags
	strict  bool
	yes     bool
	author  string
	message string
	// allowVersionChange lets a mapping change triggerVersion, once the
	// pool has been redeployed with the new one.
	allowVersionChange bool
	// signKey is the KMS key the version is signed with ("" for none).
	signKey string
	// offline is publish --dry-run: users' tokens are compared on --data
	// only (cli.UserFlags.Offline), never on DynamoDB.
	offline bool
}

func (g *gateFlags) register(fs *flag.FlagSet) {
	g.UserFlags.Register(fs)
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
// and the inline tests, rendered. They run before any call to AWS, so that
// a mistake is found without credentials, and publish --dry-run runs them
// alone. ok false means refused, with the exit code.
func localChecks(ctx context.Context, verb string, w *workspace.Workspace, g gateFlags, stdout, stderr io.Writer) (code int, ok bool) {
	name := "claimsmapper " + verb
	r := w.Gate(ctx, workspace.GateOptions{Strict: g.strict})
	for _, f := range r.Findings {
		lint.WriteText(stdout, f, w.Source())
	}
	if r.Stopped == workspace.StepLint {
		what := "errors"
		if g.strict {
			what = "errors or warnings (--strict)"
		}
		fmt.Fprintf(stderr, "%s: refused: lint found %d %s in %s; fix them and try again\n", name, r.Refused, what, w.File())
		return cli.ExitFailed, false
	}
	fmt.Fprintf(stdout, "lint: ok (%d finding(s), none refused)\n", len(r.Findings))
	switch {
	case len(r.Tests.Outcomes) > 0:
		fmt.Fprint(stdout, "tests: ")
		inlinetest.WriteText(stdout, []inlinetest.FileOutcomes{r.Tests})
	case len(r.NotRun) == 0:
		fmt.Fprintf(stdout, "tests: none; a tests: section would catch mistakes before they ship (see docs/mapping.md)\n")
	}
	for _, n := range r.NotRun {
		fmt.Fprintf(stdout, "tests: %q (line %d) not run: its file %q is not in %s; to run it, run claimsmapper %s from the folder that holds the mapping's test files\n",
			termtext.Line(n.Test), n.Pos.Line, termtext.Line(n.File), folderName(n.Dir), verb)
	}
	if r.Stopped == workspace.StepTests {
		fmt.Fprintf(stderr, "%s: refused: %d inline test(s) of %s fail; fix the mapping or the tests and try again\n", name, r.Failed, w.File())
		return cli.ExitFailed, false
	}
	return 0, true
}

// folderName names the folder a test's files were looked for in.
func folderName(dir string) string {
	if dir == "." {
		return "the current folder"
	}
	return dir
}

// reviewOptions is what the flags ask a review to compare.
func (g *gateFlags) reviewOptions() workspace.ReviewOptions {
	opts := workspace.ReviewOptions{AllowVersionChange: g.allowVersionChange}
	if g.Any() {
		c := g.Comparison()
		if g.offline {
			c = g.Offline("publish")
		}
		opts.Compare = &c
	}
	return opts
}

// review renders the change against the previous version, after the local
// checks: a changed triggerVersion (refused without
// --allow-version-change), the mapping's lines, and with user flags every
// user's tokens before and after. r and err are the workspace's review (r
// nil when there is no previous version). It returns how many users'
// tokens change.
func review(verb string, w *workspace.Workspace, target fmt.Stringer, prev workspace.Previous, r *workspace.Review, err error, g gateFlags, stdout, stderr io.Writer) (users, code int, ok bool) {
	name := "claimsmapper " + verb
	if !prev.Exists {
		fmt.Fprintln(stdout)
		fmt.Fprintf(stdout, "%s holds no mapping yet: this is its first version.\n", target)
		return 0, 0, true
	}
	if r.VersionChanged {
		if !g.allowVersionChange {
			fmt.Fprintf(stderr, "%s: refused: %s\n", name, r.VersionChange.Refusal(verb))
			return 0, cli.ExitFailed, false
		}
		fmt.Fprintln(stdout, r.VersionChange.Note())
	}
	fmt.Fprintln(stdout)
	changes.WriteTextDiff(stdout, prev.Name, w.File(), prev.Text, w.Source())
	switch {
	case !g.Any() && g.offline:
		fmt.Fprint(stdout, "\n(pass --events, --users or --user, with --data for the tables the mapping reads, to see which users' tokens change)\n")
		return 0, 0, true
	case !g.Any():
		fmt.Fprint(stdout, "\n(pass --events, --users, --user or --sample to see which users' tokens change)\n")
		return 0, 0, true
	case r.PreviousBroken != nil:
		fmt.Fprintf(stdout, "\nThe previous mapping does not load with this claimsmapper, so tokens cannot be compared:\n%v\n", r.PreviousBroken)
		return 0, 0, true
	case err != nil:
		fmt.Fprintln(stdout)
		fmt.Fprintln(stderr, cli.CompareError(verb, err))
		return 0, cli.ExitUsage, false
	}
	fmt.Fprintln(stdout)
	if err := changes.Write(stdout, r.Changes, g.WriteOptions(changes.FormatText, prev.Text, w.Source())); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 0, cli.ExitUsage, false
	}
	return r.Changes.Changed, 0, true
}

// confirmed asks the person to confirm a write of users' changed tokens,
// unless --yes did: in a terminal only. ok false means not confirmed, with
// the exit code.
func confirmed(verb, file string, target fmt.Stringer, users int, g gateFlags, stdin io.Reader, stdout, stderr io.Writer) (code int, ok bool) {
	name := "claimsmapper " + verb
	fmt.Fprintln(stdout)
	if g.yes {
		return 0, true
	}
	question := fmt.Sprintf("%s %s to %s?", strings.ToUpper(verb[:1])+verb[1:], file, target)
	if users > 0 {
		question += fmt.Sprintf(" It changes the tokens of %d user(s) above.", users)
	}
	if !isTerminalReader(stdin) {
		fmt.Fprintf(stderr, "%s: not confirmed: no terminal to ask in; review the change above and pass --yes\n", name)
		return cli.ExitFailed, false
	}
	if !confirm(stdin, stdout, question) {
		fmt.Fprintf(stderr, "%s: not confirmed: nothing was written\n", name)
		return cli.ExitFailed, false
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
