// Package bench compares claimsmapper with the other ways teams customise
// Cognito tokens, on one realistic workload (workload/): the mapper, a
// hand-written Go handler, Jsonnet (go-jsonnet), JavaScript (goja) and CEL
// (cel-go). Each is written as its users would write it for speed: compile
// once, reuse the runtime, evaluate per event.
//
// Every engine is a Handler doing the full path of one invocation: decode
// the V2 event, read the user from the same in-memory table, compute the
// claims, suppressions and scope, and encode the event with its response.
// TestEnginesGiveTheSameResponse checks they all answer alike.
//
// It is a module of its own so that the product's go.mod does not carry
// the comparison engines.
package bench
