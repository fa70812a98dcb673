//go:build backstoptest

package mapper

// costModelOff: see backstop_model.go. This build is for the backstop's
// tests only.
const costModelOff = true
