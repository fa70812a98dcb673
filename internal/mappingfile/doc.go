// Package mappingfile gets the mapping the Lambda runs: inline from
// CLAIMS_MAPPING, or from CLAIMS_MAPPING_URI, an S3 object (s3://bucket/key,
// optionally ?versionId=V) or a file path (relative paths resolve against
// the function's task root, so a mapping can ship inside the zip).
//
// A Loader holds the mapping in force. Open reads and compiles it once at
// init and fails when it is missing or invalid: the function never runs with
// an empty mapping. With CLAIMS_MAPPING_REFRESH set, an S3 mapping is checked
// again at most that often with a conditional GET (If-None-Match on the
// ETag): an unchanged object costs one small request and no parsing. A
// changed object is validated and compiled before it replaces the mapping in
// force; one that fails validation is rejected with every finding logged, and
// an S3 error leaves the last good mapping serving.
//
// Refresh and the Lambda freeze. Lambda freezes the process between
// invocations, so a goroutine only makes progress while an invocation runs.
// The invocation that finds the interval passed starts the check in a
// goroutine and waits for it at most a small bound (RefreshWait, and never
// past half of what remains of its own deadline). An S3 round trip in the
// same region takes a few tens of milliseconds, so the check normally ends
// inside that invocation, which then already serves the new mapping; a slow
// or hanging S3 costs that one invocation the bound at most, the current
// mapping serves meanwhile, and the check finishes (or times out after
// FetchTimeout) during later invocations without delaying them. No second
// check starts while one is in flight.
//
// Every load logs which mapping is in force: its source, S3 version id and
// ETag, the sha256 of its text and its number of claims.
package mappingfile
