// Package lambda is the AWS Lambda side of claimsmapper: it gets the
// mapping the function's environment names (inline, a file, or S3 with
// optional hot reload: see package mappingfile), sets up logging, and
// serves Pre Token Generation events through a compiled mapper.
//
// Everything expensive happens at init (Load): the mapping is validated and
// compiled once, and an invalid one stops the function with every finding
// logged. Per event, Handler.Invoke caps the time lookups may take by the
// function's deadline, evaluates the mapping and returns the event with its
// response.
//
// Logs are JSON lines on stdout, each with the invocation's request id.
// Debug level adds the incoming event and every DynamoDB request with its
// timing; info and above never carry user attributes, claim values or
// tokens.
package lambda
