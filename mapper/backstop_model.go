//go:build !backstoptest

package mapper

// costModelOff is set only in builds with the backstoptest tag, which
// compile every mapping without the evaluation budget: the cost model is
// then as wrong as it can be, and only the backstop stops a runaway
// evaluation. The tests of the backstop build the function and the CLI
// that way; a release build never is.
const costModelOff = false
