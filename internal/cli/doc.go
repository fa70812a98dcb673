// Package cli is the command line's side of the author's workflow: what
// the commands take from their flags and files, read and loaded, and the
// process they run in, so that cmd/claimsmapper keeps only its flag
// definitions, help texts and rendering with exit codes.
//
//   - Parse, ParseInterspersed and ParseOneFile parse a command's flags
//     (before or after its files) and print usage errors as every command
//     does; NewSetWithEnv is the flag set of the commands that read one
//     mapping with --env.
//   - Event is the flags of run, preview and explain (which mapping, event
//     and data, --env, --version, --user, --group); Event.Load reads the
//     mapping, its store and the event they name, and says how to give a
//     ${NAME} that is not set on the command line.
//   - UserFlags are the flags that say whose tokens diff and the
//     publishing gate compare, and turn them into a workspace.Comparison
//     (Offline for publish --dry-run, which never reads DynamoDB).
//   - ReadMapping, ReadDataFiles, OpenStore and ReadMappingRef read the inputs:
//     a file or standard input ("-"), local data or DynamoDB, a mapping in
//     S3 or at a git revision. LoadForDeploy loads a mapping as the function
//     will, for iam-policy and trigger-version.
//   - OnSignal, CheckedWriter and Logger are the process a command runs
//     in: a signal stops it with the shell's exit code, its output is whole
//     or reported as failed, and the mapper's warnings are plain lines.
//
// How ${NAME} then resolve is package workspace's, decided once.
package cli
