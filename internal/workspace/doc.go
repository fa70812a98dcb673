// Package workspace is the author's workflow in one place: a mapping opened
// once, then lint, its inline tests, the mapper for one case, the
// comparison with another version of it, and the publishing gate's report.
//
// The command line (lint, test, diff, publish, rollback) and the studio are
// two front ends to the same steps: they take input and render output, and
// this package does the steps, so that "run every inline test" or "which
// users does this change affect" means one thing wherever an author asks.
//
// Where ${NAME} get their values is said once, by Env: the command line's
// --env, then the process environment; an inline test's env: first for that
// test. Which names may be read at all is CLAIMS_MAPPING_ENV from the
// process, as the function reads it from its configuration: neither --env
// nor a test's env: can widen it.
package workspace
