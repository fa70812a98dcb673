// Package dynamo serves a mapping's sources from Amazon DynamoDB: it
// implements mapper.Store over DynamoDB's JSON protocol, sent by
// internal/awsapi (signed and retried as the AWS SDK does, without the
// SDK's client, which would double the function's size).
//
// Each source costs exactly one request per event: GetItem for a key source,
// one Query page for a query source. Only the attributes the mapping reads
// are asked for (mapper works the projection out at load time), through
// ProjectionExpression with ExpressionAttributeNames so reserved words and
// names with dots or dashes work. Items are read from the protocol's JSON
// (AttributeValue) straight into the values expressions expect (see Item).
//
// The store sets no deadline of its own: mapper gives every event's lookups
// the mapping's timeout, and the Lambda wiring caps that by the function's
// deadline. Retries happen inside that context, so a hanging table can
// never hold the trigger past Cognito's 5 seconds.
//
// Cache wraps any mapper.Store with an in-memory, size-bounded TTL cache for
// the sources that ask for one (cache: in the mapping). Open builds the
// store the function and the CLI use: one client, behind the cache.
package dynamo
