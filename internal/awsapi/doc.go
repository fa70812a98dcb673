// Package awsapi makes the few AWS requests claimsmapper's function makes:
// DynamoDB's JSON protocol (GetItem, Query, Scan), S3's GetObject and KMS's
// GetPublicKey and Sign (signed mappings), signed
// with Signature Version 4 (the SDK's signer), retried as the SDK's standard
// retryer decides, within the caller's context.
//
// Why not the SDK's service clients: a function that evaluates expressions
// with expr links every exported method of every type it can reach (expr
// looks methods up by name), so an SDK client brings all of its service's
// operations with it: the S3 client alone made the function's zip 1.5 MB
// larger and its package initialisers ran at every cold start. This package
// is what the function needs and nothing else (BENCHMARKS.md, "Cold
// start"). The CLI uses it too, with credentials from the SDK's full
// configuration chain (profiles, SSO), so the function and the CLI read
// tables through the same code.
//
// Configuration comes from the environment as Lambda sets it (FromEnv): the
// region (AWS_REGION), the execution role's credentials
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, or the
// container credentials endpoint), and endpoints (AWS_ENDPOINT_URL_DYNAMODB,
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL), which is how tests point it at
// local servers. A setting the package does not implement (FIPS or
// dual-stack endpoints) is refused with a message, never ignored.
package awsapi
