// Package loadcount counts the parses and compiles of mappings, so that a
// test can prove a tool parses and compiles a mapping once however many
// environments it binds it to and however many inline tests it has (the
// studio's keystroke, `claimsmapper test`). A parse is one reading of a
// mapping's text into a YAML tree, wherever it happens: config's, and any
// other package's that reads the text itself. Counting is an atomic add per
// load, never per event.
//
// Not counted: the prefixes of a text whose YAML is broken that
// package yamlnode reads again to place the error at its real line (the
// same code serves data files), which only a text that does not load pays.
package loadcount

import "sync/atomic"

var parses, compiles atomic.Int64

// Parsed counts one YAML parse of a mapping's text.
func Parsed() { parses.Add(1) }

// Compiled counts one compile of a parsed mapping.
func Compiled() { compiles.Add(1) }

// Counts are the parses and compiles counted so far, in this process.
func Counts() (parsed, compiled int64) { return parses.Load(), compiles.Load() }
