//go:build race

package mapper_test

// raceEnabled: the race detector allocates on its own and makes sync.Pool
// drop items at random, so allocation counts hold only without it.
const raceEnabled = true
