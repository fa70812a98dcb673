// Command bootstrap is the Pre Token Generation function as Lambda runs it
// (provided.al2023, handler bootstrap): `make package` zips it alone. It
// links what serving a sign-in needs and nothing else: the Lambda wiring
// (internal/lambda), the mapper, the DynamoDB source and the delivery of the
// mapping (inline, file or S3, internal/mappingfile). The authoring commands
// (lint, test, preview, diff, publish, studio, …) live in cmd/claimsmapper,
// which can serve as the function too but carries all of them.
//
// Every package it links is in the allowlist in deps_test.go: a change that
// pulls another package into the function fails that test until someone
// decides it belongs in every cold start.
package main
