// Package lambda is the AWS Lambda side of claimsmapper. lambda.go reads top
// to bottom as the function starts: the environment says where the mapping
// is (package mappingfile fetches its bytes), the mapping is validated and
// compiled with the DynamoDB store behind its sources, and the handler
// serves Pre Token Generation events with it until the runtime stops the
// process.
//
// Everything expensive happens at init: the mapping is validated and
// compiled once, and an invalid one stops the function with every finding
// logged. A changed S3 mapping (CLAIMS_MAPPING_REFRESH) is compiled by the
// invocation that receives its text and replaces the one in force only when
// valid (mapping.go). Per event, Handler.Invoke caps the time lookups may
// take by the function's deadline, evaluates the mapping and returns the
// event with its response.
//
// Logs are JSON lines on stdout. The invocation's context goes down through
// the mapper to the stores, and every line logged with it carries the
// invocation's request id and the mapping in force (mappingSha256,
// mappingVersionId). The metrics go to stdout too, as CloudWatch Embedded
// Metric Format documents (metrics.go): the mapper counts what each
// evaluation did into a reused mapper.Stats, and the handler writes the
// counts, never a value from the event or the tables. Debug level adds the incoming event and every
// DynamoDB request with its timing; info and above never carry user
// attributes, claim values or tokens.
//
// The backstop that answers without a runaway evaluation is the function's
// (backstop.go) and, with the same limits, the commands' (CommandBackstop).
package lambda
