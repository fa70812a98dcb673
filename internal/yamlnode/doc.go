// Package yamlnode reads YAML strictly, node by node, with a position for
// every problem: the one reader behind the mapping (package config), its
// inline tests (package inlinetest) and the local data files (package
// localdata). yaml v3 loses KnownFields inside custom unmarshalers, so
// these readers decode into yaml.Node and walk it: unknown and duplicate
// keys are problems, and a value of the wrong kind is named in plain words
// ("a list", "the number 3"), never as a Go type.
//
// It knows nothing of mappings: a Reader hands each problem to its Report
// function, which turns it into the caller's own finding. The same holds
// for values (ValueReader: the text as written, within one alias budget
// per file) and syntax errors (SyntaxError: the real line and column, with
// a hint in plain words; RepairIndentation, so one run shows the mistakes
// an indentation error hides), which the mapping and the data files
// explain alike.
package yamlnode
