// Package mapper compiles a mapping (package config) into expr programs and
// evaluates it for Cognito Pre Token Generation events of versions 1, 2 and 3.
//
// Everything expensive happens once, in Compile: expressions are compiled,
// the sources are ordered by their dependencies, and the attributes each
// source must fetch are worked out from the expressions that read it. Per
// event, Handle decodes the event, looks the sources up through a Store,
// evaluates the claims and writes the response Cognito expects, keeping every
// other field of the event as it came.
//
// The package knows the Cognito event shapes and expr, not the AWS SDK: data
// comes through the small Store interface, which package localdata
// implements over a file and package dynamo over DynamoDB.
package mapper
