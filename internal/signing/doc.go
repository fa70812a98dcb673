// Package signing signs a published mapping with an AWS KMS asymmetric key
// and verifies it, offline, where the function loads it.
//
// What it protects against. Without signatures, whoever can write the S3
// object (s3:PutObject on the bucket, a bucket policy, a leaked deploy role)
// decides what every token says. With signatures, the function loads only
// a text whose signature verifies with the public key it was configured
// with (CLAIMS_MAPPING_VERIFY_KEY), so a writer of the bucket who cannot
// use the KMS key can make the function refuse a mapping (the one in force
// keeps serving; a cold start fails closed) but cannot change a token. The
// signature also covers what history shows (author, message, time, the
// claimsmapper version) and the object it was published to, so the author
// of a signed version is a fact vouched for by the key, not a claim.
//
// What it does not protect against. Whoever may call kms:Sign with the key
// can sign anything; signing moves the trust from the bucket's writers to
// the key's users, nothing more. A bucket writer can also put back an
// earlier signed version of the same object: a running function refuses a
// signature older than the one in force, but a cold start cannot tell, so
// keep the bucket's writers few and watch history.
//
// The signed payload (version 1) is text: a first line naming the format,
// then one line per covered field, name=value with the value Go-quoted, in
// a fixed order (the object's s3://bucket/key, then the sha256, signing
// time, key, author, message and claimsmapper version exactly as stored in
// the object's metadata). KMS signs its SHA-256 (or SHA-384) digest. The
// signature and the fields it covers travel as the object's metadata, in
// the same PUT as the text, so no reader ever sees one without the other.
//
// Keys: ECC_NIST_P256 (ECDSA_SHA_256, the default the CDK construct
// creates), ECC_NIST_P384 (ECDSA_SHA_384) and RSA 2048 to 4096 bits
// (RSASSA_PKCS1_V1_5_SHA_256). The verifier picks the algorithm from its
// own public key, never from the object.
package signing
