package config

import (
	"fmt"
	"slices"
)

// Bounds on a mapping's shape, checked by a cheap lexical scan before the
// YAML library or expr parses anything: both parse recursively and build a
// node per element, so a 1 MiB text of nested brackets or of tiny elements
// costs them seconds, hundreds of megabytes, or a stack overflow that no
// recover catches. The bounds sit far above any mapping a person writes (a
// few kilobytes, a few levels deep) and far below what slows a load. Each is
// documented in docs/mapping.md ("Limits").
const (
	// MaxYAMLDepth is how deeply YAML collections may nest.
	MaxYAMLDepth = 64
	// MaxYAMLNodes bounds the YAML elements (keys, values, list items) of
	// a mapping, as the scan counts them.
	MaxYAMLNodes = 20_000
	// MaxExprLength is the longest expression, in bytes.
	MaxExprLength = 64 << 10
	// MaxExprDepth is how deeply brackets may nest in an expression.
	MaxExprDepth = 64
	// MaxExprTokens bounds the words, numbers, texts, operators and
	// brackets of one expression.
	MaxExprTokens = 4_000
	// MaxMappingTokens bounds the tokens of all the expressions of a
	// mapping together.
	MaxMappingTokens = 20_000
)

// WithinBounds reports whether a mapping's text is within the bounds the
// YAML library may be given (MaxYAMLDepth, MaxYAMLNodes, and texts of at
// most MaxExprLength): what else reads a mapping's YAML (its tests:, a
// diff's literals) checks it first, so that a text Parse refuses cheaply
// costs them nothing either.
func WithinBounds(src []byte) bool { return scanYAML(src) == nil }

// boundRules are the rules of the bounds' findings.
var boundRules = []string{"yaml-depth", "yaml-size", "text-size", "expr-depth", "expr-size", "mapping-size"}

// OutOfBounds reports whether findings refuse a mapping on one of the
// bounds: compiling the rest of it would cost what the bounds are there to
// spare, so mapper.Load does not.
func OutOfBounds(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == SevError && slices.Contains(boundRules, f.Rule) {
			return true
		}
	}
	return false
}

// bound is a finding of the scans: where, which rule, and the message.
type bound struct {
	off       int // byte offset in the scanned text
	rule, msg string
}

// scanYAML bounds the nesting and the elements of a YAML text without
// parsing it. It over-counts rather than under-counts: it sees structure
// (a "- " item, a "key:", a flow bracket or comma) wherever YAML could, and
// skips only what YAML cannot read as structure: quoted texts, comments and
// the lines of block scalars (| and >). It returns nil when the text is
// within MaxYAMLDepth and MaxYAMLNodes.
func scanYAML(src []byte) *bound {
	s := yamlScan{src: src}
	return s.run()
}

type yamlScan struct {
	src    []byte
	i      int
	nodes  int
	flow   int   // depth of flow collections ([ and {) at i
	indent []int // columns of the enclosing block collections
	// scalarAbove is set from a block scalar header (| or >) to the end of
	// the line: the lines after it indented more than blockCol are text.
	scalarAbove bool
	blockCol    int
	lineStart   int // offset of the line being scanned
	blockStart  int // offset where the current block scalar's text starts
}

func (s *yamlScan) tooDeep(depth int) *bound {
	return &bound{off: s.i, rule: "yaml-depth", msg: fmt.Sprintf(
		"lists and objects nest more than %d levels deep here; a mapping needs a few: flatten it", MaxYAMLDepth)}
}

// tooLong is a text (quoted, plain or a block scalar) over MaxExprLength:
// no expression may be that long, nor a value a token can carry.
func (s *yamlScan) tooLong(off int) *bound {
	return &bound{off: off, rule: "text-size", msg: fmt.Sprintf(
		"this text is longer than %d bytes, more than an expression may be or a token can carry: remove what it does not need", MaxExprLength)}
}

func (s *yamlScan) node() *bound {
	s.nodes++
	if s.nodes > MaxYAMLNodes {
		return &bound{off: s.i, rule: "yaml-size", msg: fmt.Sprintf(
			"the mapping has more than %d keys, values and list items; a mapping has a few hundred: remove what it does not need, or split it", MaxYAMLNodes)}
	}
	return nil
}

func (s *yamlScan) run() *bound {
	for s.i < len(s.src) {
		if b := s.line(); b != nil {
			return b
		}
	}
	return nil
}

// line scans one line from its start (s.i) past its end.
func (s *yamlScan) line() *bound {
	src := s.src
	s.lineStart = s.i
	col := 0
	for s.i < len(src) && src[s.i] == ' ' {
		s.i++
		col++
	}
	if s.i >= len(src) || src[s.i] == '\n' || src[s.i] == '\r' || src[s.i] == '#' {
		s.skipLine()
		return nil // blank or comment: neither structure nor text
	}
	if s.scalarAbove {
		if col > s.blockCol {
			s.skipLine()
			if s.i-s.blockStart > MaxExprLength {
				return s.tooLong(s.blockStart)
			}
			return nil // a line of a block scalar's text
		}
		s.scalarAbove = false
	}
	if s.flow == 0 {
		// Block structure: the line's indentation opens or closes levels.
		for len(s.indent) > 0 && s.indent[len(s.indent)-1] > col {
			s.indent = s.indent[:len(s.indent)-1]
		}
		if len(s.indent) == 0 || s.indent[len(s.indent)-1] < col {
			s.indent = append(s.indent, col)
		}
	}
	if b := s.node(); b != nil {
		return b
	}
	inline := 0       // levels opened on this line by "- ", "? " and "key: "
	nodeStart := true // at a place where a node (or a quoted text) may start
	ownerCol := col   // column of the node a block scalar's text belongs to
	plain := s.i      // where the plain text being read started
	for s.i < len(src) && src[s.i] != '\n' {
		c := src[s.i]
		depth := len(s.indent) + inline + s.flow
		if depth > MaxYAMLDepth {
			return s.tooDeep(depth)
		}
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			s.i++
			continue
		case c == '#' && s.i > 0 && (src[s.i-1] == ' ' || src[s.i-1] == '\t'):
			s.skipLine()
			return nil
		case nodeStart && (c == '\'' || c == '"'):
			start := s.i
			s.quoted(c)
			if s.i-start > MaxExprLength {
				return s.tooLong(start)
			}
			nodeStart = false
			continue
		case (c == '-' || c == '?') && nodeStart && s.flow == 0 && s.spaceAfter():
			inline++
			ownerCol = s.i - s.lineStart
			if b := s.node(); b != nil {
				return b
			}
			s.i++
			continue
		case c == ':' && (s.spaceAfter() || s.flow > 0):
			if s.flow == 0 {
				inline++
				if s.blockScalarAfter() {
					s.scalarAbove, s.blockCol = true, ownerCol
					s.skipLine()
					s.blockStart = s.i
					return nil
				}
			}
			if b := s.node(); b != nil {
				return b
			}
			s.i++
			nodeStart = true
			continue
		case (c == '[' || c == '{') && (nodeStart || s.flow > 0):
			s.flow++
			if depth+1 > MaxYAMLDepth {
				return s.tooDeep(depth + 1)
			}
			if b := s.node(); b != nil {
				return b
			}
			s.i++
			nodeStart = true
			continue
		case (c == ']' || c == '}') && s.flow > 0:
			s.flow--
			s.i++
			continue
		case c == ',' && s.flow > 0:
			if b := s.node(); b != nil {
				return b
			}
			s.i++
			nodeStart = true
			continue
		case (c == '|' || c == '>') && nodeStart && s.flow == 0:
			// A block scalar after "- " or at the start of a line.
			s.scalarAbove, s.blockCol = true, ownerCol
			s.skipLine()
			s.blockStart = s.i
			return nil
		}
		if nodeStart {
			ownerCol = s.i - s.lineStart
			plain = s.i
		} else if s.i-plain > MaxExprLength {
			return s.tooLong(plain)
		}
		nodeStart = false
		s.i++
	}
	if s.i < len(src) {
		s.i++ // the newline
	}
	return nil
}

// spaceAfter reports whether the byte after i ends a token: a space, a line
// end or the text's end.
func (s *yamlScan) spaceAfter() bool {
	j := s.i + 1
	return j >= len(s.src) || s.src[j] == ' ' || s.src[j] == '\t' || s.src[j] == '\n' || s.src[j] == '\r'
}

// blockScalarAfter reports whether the value after the ":" at i is a block
// scalar header (| or >, with optional indicators and comment).
func (s *yamlScan) blockScalarAfter() bool {
	j := s.i + 1
	for j < len(s.src) && (s.src[j] == ' ' || s.src[j] == '\t') {
		j++
	}
	if j >= len(s.src) || (s.src[j] != '|' && s.src[j] != '>') {
		return false
	}
	for j++; j < len(s.src) && s.src[j] != '\n'; j++ {
		switch c := s.src[j]; {
		case c == '-' || c == '+' || (c >= '1' && c <= '9') || c == '\r':
		case c == ' ' || c == '\t':
			// A comment may follow.
			k := j
			for k < len(s.src) && (s.src[k] == ' ' || s.src[k] == '\t') {
				k++
			}
			return k >= len(s.src) || s.src[k] == '\n' || s.src[k] == '\r' || s.src[k] == '#'
		default:
			return false
		}
	}
	return true
}

// quoted skips a quoted text starting at i, which may span lines: ' ends
// it unless doubled, " unless escaped with \.
func (s *yamlScan) quoted(q byte) {
	src := s.src
	for s.i++; s.i < len(src); s.i++ {
		c := src[s.i]
		switch {
		case q == '"' && c == '\\':
			s.i++
		case c == q && q == '\'' && s.i+1 < len(src) && src[s.i+1] == '\'':
			s.i++
		case c == q:
			s.i++
			return
		}
	}
}

func (s *yamlScan) skipLine() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.i++
	}
	if s.i < len(s.src) {
		s.i++
	}
}

// scanExpr bounds one expression without parsing it: its length, the
// nesting of its brackets and its tokens. It returns the number of tokens,
// and a bound when one is passed.
func scanExpr(code string) (int, *bound) {
	if len(code) > MaxExprLength {
		return 0, &bound{off: MaxExprLength, rule: "expr-size", msg: fmt.Sprintf(
			"this expression is %d bytes, more than the %d an expression may have; an expression is a line or two: move lists of values into a source, or split the claim", len(code), MaxExprLength)}
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
			if depth > MaxExprDepth {
				return tokens, &bound{off: i, rule: "expr-depth", msg: fmt.Sprintf(
					"brackets nest more than %d levels deep here; no expression needs that many: use let to name the parts", MaxExprDepth)}
			}
			i++
		case c == ')' || c == ']' || c == '}':
			depth--
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
		if tokens > MaxExprTokens {
			return tokens, &bound{off: min(i, len(code)-1), rule: "expr-size", msg: fmt.Sprintf(
				"this expression has more than %d words, numbers, texts and operators; an expression is a line or two: split the claim, or use let to name the parts", MaxExprTokens)}
		}
	}
	return tokens, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || c == '.' || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
