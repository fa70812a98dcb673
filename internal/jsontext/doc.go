// Package jsontext writes JSON text by hand where encoding/json would cost
// an allocation per value on a hot path: the function's response
// (package mapper) and its metric lines (package lambda). It imports only
// the standard library, and every function is checked against
// encoding/json by a fuzz target.
package jsontext
