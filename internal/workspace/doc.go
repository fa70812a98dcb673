// Package workspace is the author's workflow in one place: a mapping opened
// once, then lint, its inline tests, the mapper for one case, the
// comparison with another version of it, and the publishing gate's report.
//
// The command line (lint, test, run, preview, explain, diff, publish,
// rollback, iam-policy) and the studio are front ends to the same steps:
// they take input and render output, and this package does the steps, so
// that "run every inline test" or "which users does this change affect"
// means one thing wherever an author asks.
//
//   - Open parses and compiles a mapping's text once, and reads its tests:
//     section from that one parse. A version read from S3 (Options.Remote)
//     reads its tests' files from the current folder, and a test whose
//     file is not there is not run (NotRun) rather than a finding.
//   - Lint, RunTests and Mapper (or TestMapper for one inline test) are
//     what lint, test and run/preview/explain do; Verdict is lint's and
//     LintAndTest test's whole step for one mapping (the studio's Tests
//     button too).
//   - SignIn rewrites an event into the sign-in a person asked to see
//     (preview's --version, --user and --group, the studio's choices of
//     version, user and groups), in one order for both.
//   - Users names who a comparison runs for (event files, a users file,
//     local data, a DynamoDB sample); Compare evaluates two versions for
//     them, as diff does.
//   - Gate runs the publishing gate's local steps (lint, then the tests)
//     and Review the rest against the version being replaced: a changed
//     triggerVersion and the users' tokens before and after.
//   - PrepareShip is publish and rollback up to the confirmation: the
//     bucket keeps versions, the version in force is read, an unsigned
//     version would not replace a signed one, the text is not the same,
//     and the change is reviewed; nothing is written. The plan's Write,
//     once the person confirmed, records who and why and writes only if
//     the version in force is still the one reviewed. DryRunPrevious is
//     what publish --dry-run reviews against instead (--against, or git's
//     last commit).
//
// Where ${NAME} get their values is said once, by Env: the command line's
// --env, then the process environment; an inline test's env: first for that
// test; the tests' env: where nothing else sets a name, in the studio
// (TestsFillEnv) or, with --data, the first test's (FirstTestEnv). Which
// names may be read at all is CLAIMS_MAPPING_ENV from the process, as the
// function reads it from its configuration: neither --env nor a test's env:
// can widen it.
package workspace
