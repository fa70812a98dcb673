// Package termtext makes text that someone else wrote safe to print: a
// mapping's published author and message, or anything read from an
// object's metadata, may hold control characters and terminal escape
// sequences (ESC [ 2 J clears a screen; OSC 8 makes a link; a bidi
// override reorders what a reader sees). Line shows each of them escaped,
// as Go would quote it, and JSON does the same inside JSON strings, so
// what reaches the terminal is the text's characters, never commands.
package termtext
