// Package config reads a claimsmapper mapping file: the YAML that says which
// DynamoDB attributes become which Cognito token claims.
//
// It knows YAML and the rules Cognito imposes on claims, but nothing of AWS
// APIs or of how expressions are evaluated. Parse walks the YAML node tree
// itself (rather than decoding into structs) so that every unknown key, wrong
// type or forbidden claim is reported with its file:line:col, all at once.
// Expressions are kept as source text with their position; package mapper
// compiles them. Constants (const:) are kept as written too, as a *Value:
// what a constant means (a date stays text, 017 is refused) is decided once,
// in mapper's value model, not by the YAML library's YAML 1.1 habits.
//
// Before the YAML library reads the text, and before any expression is
// kept, a lexical scan bounds their shape (bounds.go): nesting, elements,
// text length and expression tokens. A text past a bound is refused before
// anything that parses it recursively or node by node sees it, so a hostile
// 1 MiB mapping costs milliseconds, not the process.
//
// A mapping's ${NAME} references are slots, not text rewritten while it is
// read: Parse keeps them as written and records them (Mapping.Vars), and
// Mapping.Bind fills them from an Env (the operator's CLAIMS_MAPPING_ENV
// allow-list and the values), with the findings about them. One parse
// serves every environment: the function's settings, lint's, each inline
// test's env:.
//
// A parsed *Mapping is immutable: callers must not change it, and Bind
// returns a copy.
//
// The strict node reading is package internal/yamlnode's, shared with the
// inline tests and the local data files. The values a setting may take
// (tables.go) feed both the parser and the JSON Schema editors load
// (Schema, docs/mapping.schema.json). Each rule has a case in testdata: a
// NAME.bad.yaml and the NAME.findings Parse gives for it.
package config
