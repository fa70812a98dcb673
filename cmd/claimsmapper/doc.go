// Command claimsmapper puts data from DynamoDB into Amazon Cognito tokens
// following a declarative mapping file. It is a CLI for people who write and
// test mappings. Run with no arguments inside AWS Lambda it serves the Pre
// Token Generation trigger (package internal/lambda), as it did before the
// function had a binary of its own; `make package` ships cmd/bootstrap,
// which carries the function without the CLI. This package only defines
// the flags and help texts, reads input and renders output with exit codes;
// the steps are in internal/workspace (lint, tests, diff, the publishing
// gate), internal/publish (S3, history, rollback) and internal/lint (how
// findings print), and what the commands read in internal/cli.
package main
