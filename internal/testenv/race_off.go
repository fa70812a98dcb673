//go:build !race

package testenv

// RaceEnabled is whether this binary was built with the race detector.
const RaceEnabled = false
