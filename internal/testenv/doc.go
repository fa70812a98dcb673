// Package testenv starts the real servers integration tests talk to, on
// loopback, and stops them when the test ends: dynalite (a DynamoDB API
// server), s3rver (an S3 API server) and cognito-local (a Cognito user pool
// API server), all from npm, pinned in this folder's package.json and
// installed next to it by `npm ci`; and the AWS Lambda Runtime Interface
// Emulator running the function, and local-kms (a KMS API server with
// asymmetric signing keys), both Go programs installed with `go install` at
// the versions pinned here. LambdaAPI puts Lambda's Invoke API in front of
// the emulator, as cognito-local calls a trigger.
//
// When a server cannot start, a test skips with a message saying what to
// install, except in CI (CI=true), where it fails: a CI run that skipped its
// integration tests would prove nothing.
package testenv
