// Package dynamo serves a mapping's sources from Amazon DynamoDB: it
// implements mapper.Store with the AWS SDK for Go v2.
//
// Each source costs exactly one request per event: GetItem for a key source,
// one Query page for a query source. Only the attributes the mapping reads
// are asked for (mapper works the projection out at load time), through
// ProjectionExpression with ExpressionAttributeNames so reserved words and
// names with dots or dashes work. Items are converted with the SDK's
// attributevalue package and then normalised to the values expressions
// expect (see Item).
//
// The store sets no deadline of its own: mapper gives every event's lookups
// the mapping's timeout, and the Lambda wiring caps that by the function's
// deadline. SDK retries happen inside that context, so a hanging table can
// never hold the trigger past Cognito's 5 seconds.
//
// Cache wraps any mapper.Store with an in-memory, size-bounded TTL cache for
// the sources that ask for one (cache: in the mapping). Open builds the
// store the function and the CLI use: one client from the standard AWS
// configuration (NewClient), behind the cache.
package dynamo
