// Package golden compares test output with files checked in next to the
// test, and rewrites them when the test runs with -update:
//
//	go test ./cmd/claimsmapper -update
//
// It is the one -update flag of the repository; only tests import it.
// Cases runs a package's rule cases (testdata/NAME.bad.yaml with the
// findings in testdata/NAME.findings), as Prometheus' rulefmt keeps its.
package golden
