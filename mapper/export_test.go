package mapper

import (
	"errors"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
)

// Unbounded compiles without the evaluation budget, for the benchmark that
// measures what the budget costs. Nothing outside tests may do this.
func Unbounded(o LoadOptions) LoadOptions {
	o.unbounded = true
	return o
}

// IsLimit lets the tests ask which limit an error is; callers outside the
// package use errors.As with *LimitError.
var IsLimit = isLimit

// Cognito's and Lambda's limits on a response, for the tests at their edge.
const (
	MaxChanges       = maxChanges
	MaxResponseBytes = maxResponseBytes
)

// loaded is every finding of Load with its Mapper, for the tests inside
// the package.
func loaded(mp *Mapper, warnings []config.Finding, err error) (*Mapper, []config.Finding) {
	var ce *config.Error
	if errors.As(err, &ce) {
		return mp, ce.Findings
	}
	return mp, warnings
}

// DefaultLimits are the limits a Mapper runs under when LoadOptions.Limits
// sets none, for the tests that measure against them.
var DefaultLimits = defaultLimits

// HeapObjects lets the backstop's tests set a ceiling above the heap there is.
var HeapObjects = heapObjects

// farTimeout is the deadline of the tests about the work and bytes
// budgets, instead of their mapping's timeout (at most 4s): the race
// detector runs expressions 5 to 10 times slower, and a loaded machine
// slower still, so under a mapping's timeout the deadline could stop an
// expression before the budget does and flip what the test sees. Minutes
// away, only the budget stops them; a budget that failed to stop one
// still fails its test, on the time limit, rather than hanging it.
const farTimeout = 2 * time.Minute

// FarDeadline gives mp's evaluations farTimeout for a deadline.
func FarDeadline(mp *Mapper) *Mapper {
	mp.timeout = farTimeout
	return mp
}
