// Package dynval is the one value model of claimsmapper: how a DynamoDB
// attribute, a data file's value, a constant written in the mapping and an
// inline test's expectation become what expressions see, how two key values
// compare, and how a value is written in a token (V1 text, the check of what
// a token can hold, the names of kinds in an author's words).
//
// It is internal so that packages mapper, dynamo and localdata share one
// definition without making it part of their public API: a library user
// reads values through mapper.Item and never converts them by hand.
package dynval
