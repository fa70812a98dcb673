package workspace

import (
	"context"
	"errors"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/publish"
)

// Step is a step of the publishing gate.
type Step int

// The gate's local steps, in the order they run. A report stops at the
// first step that refuses the mapping.
const (
	StepLint Step = iota
	StepTests
	StepPassed // both passed: the change can be reviewed
)

// GateOptions say what the gate checks a mapping against.
type GateOptions struct {
	// Strict refuses lint's warnings too.
	Strict bool
}

// GateReport is what the gate's local steps found, up to Stopped.
type GateReport struct {
	// Stopped is the step that refused the mapping, or StepPassed.
	Stopped Step
	// Findings are lint's, Refused how many of them refuse the mapping.
	Findings []config.Finding
	Refused  int
	// Tests are the inline tests' outcomes, Failed how many failed.
	Tests  inlinetest.FileOutcomes
	Failed int
	// NotRun are the tests that could not run, since a file they name is
	// not in the current folder (a version read from S3, Options.Remote):
	// they neither pass nor refuse the mapping.
	NotRun []inlinetest.NotRun
}

// Gate runs the publishing gate's steps that need nothing but the mapping:
// lint, then the inline tests. They need no credentials, so a mistake is
// found before any call to AWS (and publish --dry-run runs them alone).
// A refusal is the report's Stopped.
func (w *Workspace) Gate(ctx context.Context, opts GateOptions) *GateReport {
	r := &GateReport{Stopped: StepLint, NotRun: w.NotRun()}
	r.Findings = w.Lint()
	if r.Refused = refusing(r.Findings, opts.Strict); r.Refused > 0 {
		return r
	}
	r.Stopped = StepTests
	r.Tests = w.RunTests(ctx, nil)
	for _, o := range r.Tests.Outcomes {
		if !o.Passed() {
			r.Failed++
		}
	}
	if r.Failed > 0 {
		return r
	}
	r.Stopped = StepPassed
	return r
}

// Review is the change the gate shows against the previous version, once
// the local steps passed.
type Review struct {
	// VersionChange is a changed triggerVersion, when VersionChanged: the
	// user pool sends the new version only once it is redeployed.
	VersionChange  publish.VersionChange
	VersionChanged bool
	// Changes compares the users' tokens, when a comparison was asked for
	// and the previous version loads.
	Changes *changes.Report
	// PreviousBroken is why the previous version does not load, when it
	// does not: replacing it is what a fix does, so the review goes on
	// without comparing tokens.
	PreviousBroken error
}

// ReviewOptions say what a review compares.
type ReviewOptions struct {
	// Compare, when set, compares the tokens of its users.
	Compare *Comparison
	// AllowVersionChange goes on past a changed triggerVersion; without
	// it the review stops there, since the change is refused.
	AllowVersionChange bool
}

// Review compares the mapping with prev, the version it replaces: the
// triggerVersion, and with opts.Compare the tokens of its users. The error
// is a comparison that could not run (a users file or a table that cannot
// be read, or this mapping does not load).
func (w *Workspace) Review(ctx context.Context, prev *Workspace, opts ReviewOptions) (*Review, error) {
	r := &Review{}
	r.VersionChange, r.VersionChanged = publish.TriggerVersionChange(prev.src, w.src)
	if opts.Compare == nil || (r.VersionChanged && !opts.AllowVersionChange) {
		return r, nil
	}
	rep, err := Compare(ctx, prev, w, *opts.Compare)
	var old *OldLoadError
	switch {
	case errors.As(err, &old):
		r.PreviousBroken = old.Err
	case err != nil:
		return r, err
	default:
		r.Changes = rep
	}
	return r, nil
}
