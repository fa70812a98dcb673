// Package datafile reads the local tables a mapping runs on without AWS
// (a data file, or a test's inline data:) and serves them as a mapper.Store
// that behaves as DynamoDB does. Package localdata is its public face;
// the tools use this package for what a library user never needs: Decode
// reads the same tables written inside a mapping's tests: section, from its
// YAML node, so that their findings point into the mapping.
//
// See package localdata for the file's format and what behaves as in
// DynamoDB.
package datafile
