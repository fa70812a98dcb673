// Package lint is what `claimsmapper lint` reports for a mapping file: the
// findings of mapper.Load, the one function the Lambda and every command
// load a mapping with, plus the problems of the tests: section (package
// inlinetest), which the function ignores.
//
// Lint adds no rule of its own to the mapping: a rule that lint applies and
// the function does not (or the reverse) would let lint say ok to a mapping
// the function refuses. The one difference is the environment: where lint
// runs, a ${VAR} the function will have may be unset, so lint reports it as
// a warning instead of an error. The cases of what lint adds (the tests:
// section) are in testdata, each NAME.bad.yaml with its NAME.findings.
//
// Check (CheckWith for every option) finds them; UnsetOnce says a ${NAME}
// unset in several mappings of one run once, and Policies says which rules
// of a mapping fail closed and which fail open. A Printer (NewPrinter)
// writes findings as lint prints them: text with the source line and a
// caret under the column (WriteText, which the publishing gate prints with
// too), GitHub Actions annotations, or one JSON array (JSONFinding).
package lint
