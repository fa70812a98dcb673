package workspace

import (
	"context"
	"errors"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
)

// Step is a step of the publishing gate.
type Step int

// The gate's steps, in the order they run. A report stops at the first
// step that refuses the mapping.
const (
	StepLint Step = iota
	StepTests
	StepCompare
	StepPassed // every step passed: the change awaits confirmation
)

// GateOptions say what the gate checks a mapping against.
type GateOptions struct {
	// Strict refuses lint's warnings too.
	Strict bool
	// Current is the mapping in force; nil when there is none yet.
	Current *Workspace
	// Compare, when set, compares the users' tokens under Current and
	// under the new mapping.
	Compare *Comparison
}

// GateReport is what the gate found, step by step, up to Stopped.
type GateReport struct {
	// Stopped is the step that refused the mapping, or StepPassed.
	Stopped Step
	// Findings are lint's, Refused how many of them refuse the mapping.
	Findings []config.Finding
	Refused  int
	// Tests are the inline tests' outcomes, Failed how many failed.
	Tests  inlinetest.FileOutcomes
	Failed int
	// Changes compares the users' tokens, when asked for and possible.
	Changes *changes.Report
	// CurrentBroken is why the mapping in force does not load, when it
	// does not: the tokens are then not compared, and the gate goes on,
	// since replacing such a mapping is what a fix does.
	CurrentBroken error
}

// Gate checks the mapping before it goes live: lint, the inline tests and,
// with opts.Compare, who the change affects. The error is a comparison
// that could not run (a users file or a table that cannot be read); a
// refusal is the report's Stopped.
func (w *Workspace) Gate(ctx context.Context, opts GateOptions) (*GateReport, error) {
	r := &GateReport{Stopped: StepLint}
	r.Findings = w.Lint()
	if r.Refused = Refusing(r.Findings, opts.Strict); r.Refused > 0 {
		return r, nil
	}
	r.Stopped = StepTests
	r.Tests = w.RunTests(ctx, nil)
	for _, o := range r.Tests.Outcomes {
		if !o.Passed() {
			r.Failed++
		}
	}
	if r.Failed > 0 {
		return r, nil
	}
	r.Stopped = StepCompare
	if opts.Current != nil && opts.Compare != nil {
		rep, err := Compare(ctx, opts.Current, w, *opts.Compare)
		var old *OldLoadError
		switch {
		case errors.As(err, &old):
			r.CurrentBroken = old.Err
		case err != nil:
			return r, err
		default:
			r.Changes = rep
		}
	}
	r.Stopped = StepPassed
	return r, nil
}
