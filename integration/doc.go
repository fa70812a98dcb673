// Package integration holds the end-to-end tests: the claimsmapper binary
// built as Lambda runs it, served by the AWS Lambda Runtime Interface
// Emulator, reading a real DynamoDB API server (dynalite). The package has no
// code of its own; `go test -short` skips it.
package integration
