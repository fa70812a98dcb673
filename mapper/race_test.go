//go:build race

package mapper_test

// raceDetector is whether the tests run under the race detector (-race).
const raceDetector = true
