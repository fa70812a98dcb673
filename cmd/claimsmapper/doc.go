// Command claimsmapper puts data from DynamoDB into Amazon Cognito tokens
// following a declarative mapping file. It is a CLI for people who write and
// test mappings, and, run with no arguments inside AWS Lambda, the Pre Token
// Generation trigger itself (package internal/lambda). This package only
// parses flags and dispatches.
package main
