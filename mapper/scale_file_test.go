package mapper_test

import "testing"

// The cold start benchmark (integration/coldstart_test.go) runs the
// 100-claim scaled mapping in the Lambda; it reads this copy, which must stay
// what scaledMapping generates (go test -update rewrites it).
func TestScaleFileIsCurrent(t *testing.T) {
	checkGolden(t, "../testdata/scale/claims100.yaml", scaledMapping(100))
}
