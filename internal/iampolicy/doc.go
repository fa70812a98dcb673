// Package iampolicy writes the IAM policy a mapping's function needs to read
// DynamoDB: one statement per source, GetItem or Query on exactly its table
// or index, and, on request, only the attributes the mapping reads. The CLI's
// iam-policy command prints it; the CDK construct attaches it.
package iampolicy
