package config

import (
	"fmt"
	"slices"
)

// Bounds on a mapping's expressions, checked by a cheap lexical scan
// before expr parses anything, as yamlnode.Scan bounds the YAML before the
// YAML library reads it: expr parses recursively and builds a node per
// token, so 520,000 nested parentheses overflowed its stack (a fatal error
// no recover catches), and many long expressions cost seconds to compile.
// The bounds sit far above any mapping a person writes and far below what
// slows a load; docs/mapping.md ("Limits on the file itself") documents
// them.
const (
	// maxExprLength is the longest expression, in bytes.
	maxExprLength = 64 << 10
	// maxExprDepth is how deeply brackets may nest in an expression.
	maxExprDepth = 64
	// maxExprTokens bounds the words, numbers, texts, operators and
	// brackets of one expression.
	maxExprTokens = 4_000
	// maxMappingTokens bounds the tokens of all the expressions of a
	// mapping together.
	maxMappingTokens = 20_000
)

// bound is a finding of the expression scan: where, which rule, and the
// message.
type bound struct {
	off       int // byte offset in the expression
	rule, msg string
}

// mappingBoundRules are the rules of the bounds that refuse the whole
// mapping: nothing of it is compiled (Parse returns no Mapping), since
// compiling the rest would cost what the bounds are there to spare.
var mappingBoundRules = []string{"yaml-depth", "yaml-size", "text-size", "mapping-size"}

func outOfBounds(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SevError && slices.Contains(mappingBoundRules, f.Rule) {
			return true
		}
	}
	return false
}

// scanExpr bounds one expression without parsing it: its length, the
// nesting of its brackets and its tokens. It returns the number of tokens,
// and a bound when one is passed.
func scanExpr(code string) (int, *bound) {
	if len(code) > maxExprLength {
		return 0, &bound{off: maxExprLength, rule: "expr-size", msg: fmt.Sprintf(
			"this expression is %d bytes, more than the %d an expression may have; an expression is a line or two: move lists of values into a source, or split the claim", len(code), maxExprLength)}
	}
	tokens, depth := 0, 0
	for i := 0; i < len(code); {
		c := code[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c == '"' || c == '\'' || c == '`':
			i++
			for i < len(code) && code[i] != c {
				if code[i] == '\\' && c != '`' {
					i++
				}
				i++
			}
			i++
		case c == '/' && i+1 < len(code) && code[i+1] == '/':
			for i < len(code) && code[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(code) && code[i+1] == '*':
			i += 2
			for i+1 < len(code) && !(code[i] == '*' && code[i+1] == '/') {
				i++
			}
			i += 2
			continue
		case c == '(' || c == '[' || c == '{':
			depth++
			if depth > maxExprDepth {
				return tokens, &bound{off: i, rule: "expr-depth", msg: fmt.Sprintf(
					"brackets nest more than %d levels deep here; no expression needs that many: use let to name the parts", maxExprDepth)}
			}
			i++
		case c == ')' || c == ']' || c == '}':
			// A closing bracket with none open is expr's syntax error to
			// report; it must not lower the depth below zero, or a run of
			// them would let as many opening brackets past the bound.
			depth = max(depth-1, 0)
			i++
		case isWordByte(c):
			for i < len(code) && isWordByte(code[i]) {
				i++
			}
		default:
			// An operator: one token per character over-counts ==, &&
			// and the like, which is fine for a bound.
			i++
		}
		tokens++
		if tokens > maxExprTokens {
			return tokens, &bound{off: min(i, len(code)-1), rule: "expr-size", msg: fmt.Sprintf(
				"this expression has more than %d words, numbers, texts and operators; an expression is a line or two: split the claim, or use let to name the parts", maxExprTokens)}
		}
	}
	return tokens, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c == '.' || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
