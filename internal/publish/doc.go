// Package publish ships a mapping to S3 the careful way, and takes it back:
// PutSigned writes a new version only if the object is still the one that was
// reviewed (a conditional write on its ETag, or, where the server does not
// support conditional writes, a version check before and after the write);
// every version carries who published it, why, with which claimsmapper, and
// the mapping's sha256; Entries lists the versions and Get reads one,
// so that a rollback is a publish of an earlier version's text
// (FindRollback picks and reads it). Entries are what history shows of each
// version, its signature checked with the key's public key from KMS
// (PublicKeys). Author, NewSigner and PlainAWS are the AWS side of the
// command line: who publishes, the KMS signer, and a failed call to AWS in
// words with the fix.
//
// The bucket must have versioning enabled: without it an overwritten
// mapping is gone, and there is nothing to roll back to.
package publish
