// Package loadcount counts the parses and compiles of mappings, so that a
// test can prove a tool parses and compiles a mapping once however many
// environments it binds it to (the studio's keystroke with many inline
// tests). Counting is an atomic add per load, never per event.
package loadcount

import "sync/atomic"

var parses, compiles atomic.Int64

// Parsed counts one config.Parse.
func Parsed() { parses.Add(1) }

// Compiled counts one compile of a parsed mapping.
func Compiled() { compiles.Add(1) }

// Counts are the parses and compiles counted so far, in this process.
func Counts() (parsed, compiled int64) { return parses.Load(), compiles.Load() }
