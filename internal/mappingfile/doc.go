// Package mappingfile fetches the mapping's text for the Lambda: inline from
// CLAIMS_MAPPING, or from CLAIMS_MAPPING_URI, an S3 object (s3://bucket/key,
// optionally ?versionId=V) or a file path (relative paths resolve against
// the function's task root, so a mapping can ship inside the zip). It deals
// in bytes and what identifies them (source, S3 version id and ETag,
// sha256); it knows nothing of what a mapping means. The caller (package
// lambda) validates and compiles what it returns.
//
// Open reads the mapping once and fails when it cannot. With
// CLAIMS_MAPPING_REFRESH set, an S3 mapping is checked again at most that
// often with a conditional GET (If-None-Match on the ETag of the last
// object read): an unchanged object costs one small request, and Changed
// returns a changed one to the caller. An object the caller rejects is not
// read again until it changes; an S3 error is logged and returns nothing, so
// the caller keeps its last good mapping.
//
// Refresh and the Lambda freeze. Lambda freezes the process between
// invocations, so a goroutine only makes progress while an invocation runs.
// The invocation that finds the interval passed starts the check in a
// goroutine and waits for it at most a small bound (RefreshWait, and never
// past half of what remains of its own deadline). An S3 round trip in the
// same region takes a few tens of milliseconds, so the check normally ends
// inside that invocation, which then already gets the new text; a slow or
// hanging S3 costs that one invocation the bound at most, the current
// mapping serves meanwhile, and the check finishes (or times out after
// FetchTimeout) during later invocations without delaying them: the first
// invocation after it ends gets the new text. No second check starts while
// one is in flight.
package mappingfile
