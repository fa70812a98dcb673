package testenv

import (
	"math"
	"testing"
)

// AllocsPerCall is the allocations of one call of f over n calls: their
// average (testing.AllocsPerRun), or, under the race detector, their
// fewest. The detector makes sync.Pool drop a quarter of what is put back,
// at random, and allocates on its own now and then, so an average moves
// from run to run under it; the fewest is the count of a call that none of
// that touched, which is every call without it. make test runs the suite
// under the detector, so an allocation test must hold there too.
func AllocsPerCall(n int, f func()) float64 {
	if !RaceEnabled {
		return testing.AllocsPerRun(n, f)
	}
	fewest := math.Inf(1)
	for range n {
		fewest = min(fewest, testing.AllocsPerRun(1, f))
	}
	return fewest
}
