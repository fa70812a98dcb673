// Package yamlnode reads YAML strictly, node by node, with a position for
// every problem: the one reader behind the mapping (package config), its
// inline tests (package inlinetest) and the local data files (package
// localdata). yaml v3 loses KnownFields inside custom unmarshalers, so
// these readers decode into yaml.Node and walk it: unknown and duplicate
// keys are problems, and a value of the wrong kind is named in plain words
// ("a list", "the number 3"), never as a Go type.
//
// It knows nothing of mappings: a Reader hands each problem to its Report
// function, which turns it into the caller's own finding.
package yamlnode
