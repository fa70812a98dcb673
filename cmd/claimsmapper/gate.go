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
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
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
}

func (g *gateFlags) register(fs *flag.FlagSet) {
	g.diffFlags.register(fs)
	fs.BoolVar(&g.strict, "strict", false, "")
	fs.BoolVar(&g.yes, "yes", false, "")
	fs.StringVar(&g.author, "author", "", "")
	fs.StringVar(&g.message, "message", "", "")
	fs.BoolVar(&g.allowVersionChange, "allow-version-change", false, "")
}

// gateUsage documents the gate's options for publish and rollback.
const gateUsage = `The gate (every step must pass):
  1. lint: no errors (with --strict, no warnings either)
  2. the mapping's inline tests (tests:) pass
  3. the change is shown: the mapping's lines, and with --events, --users or
     --sample, every user's tokens before and after (as claimsmapper diff)
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
  --events PATH, --users FILE, --sample TABLE[:N], --event FILE, --data FILE,
  --env NAME=VALUE, --show-values, --show-users
                     the users whose tokens to compare, as for diff
`

// gate checks a mapping before it goes live: lint, inline tests, the
// change shown, and the person's confirmation. ok false means refused,
// with the exit code.
func gate(ctx context.Context, verb, file string, src []byte, loc publish.Location, current publish.Object, g gateFlags, stdin io.Reader, stdout, stderr io.Writer) (code int, ok bool) {
	name := "claimsmapper " + verb
	opts := workspace.GateOptions{Strict: g.strict}
	if current.Exists {
		opts.Current = g.open(loc.String(), current.Text)
		if g.any() {
			cmp := g.comparison()
			opts.Compare = &cmp
		}
	}
	r, err := g.open(file, src).Gate(ctx, opts)
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

	if current.Exists {
		if vc, changed := publish.TriggerVersionChange(current.Text, src); changed {
			if !g.allowVersionChange {
				fmt.Fprintf(stderr, "%s: refused: %s\n", name, vc.Refusal(verb))
				return exitFailed, false
			}
			fmt.Fprintln(stdout, vc.Note())
		}
	}

	fmt.Fprintln(stdout)
	users := 0
	if !current.Exists {
		fmt.Fprintf(stdout, "%s holds no mapping yet: this is its first version.\n", loc)
	} else {
		changes.WriteTextDiff(stdout, fmt.Sprintf("%s (version %s)", loc, current.VersionID), file, current.Text, src)
		switch {
		case !g.any():
			fmt.Fprint(stdout, "\n(pass --events, --users or --sample to see which users' tokens change)\n")
		case r.CurrentBroken != nil:
			fmt.Fprintf(stdout, "\nThe mapping in force does not load with this claimsmapper, so tokens cannot be compared:\n%v\n", r.CurrentBroken)
		case err != nil:
			fmt.Fprintln(stdout)
			fmt.Fprintln(stderr, diffError(err))
			return exitUsage, false
		default:
			fmt.Fprintln(stdout)
			if err := changes.Write(stdout, r.Changes, g.writeOptions(changes.FormatText, current.Text, src)); err != nil {
				fmt.Fprintf(stderr, "%s: %v\n", name, err)
				return exitUsage, false
			}
			users = r.Changes.Changed
		}
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
	loc, err := publish.ParseLocation(uri)
	if err != nil {
		return loc, nil, err
	}
	if loc.VersionID != "" {
		return loc, nil, fmt.Errorf("%q: name the object without ?versionId", uri)
	}
	client, err := mappingfile.NewS3Client(ctx)
	if err != nil {
		return loc, nil, err
	}
	return loc, client, nil
}
