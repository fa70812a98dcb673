package yamlnode

import "fmt"

// Bounds on a YAML text's shape, checked by Scan, a cheap lexical pass,
// before the YAML library reads it: the library builds a node per element
// and recurses per level, so a 1 MiB text of nested brackets or of tiny
// elements costs it seconds and hundreds of megabytes. The mapping's
// loader (package config) refuses a text past them, and whatever else reads
// a mapping's YAML (its tests:, a diff's literals) scans it first, so such
// a text costs them nothing either. docs/mapping.md ("Limits on the file
// itself") documents them.
const (
	// MaxDepth is how deeply YAML collections may nest.
	MaxDepth = 64
	// MaxNodes bounds the elements (keys, values, list items), as Scan
	// counts them.
	MaxNodes = 20_000
	// MaxText is the longest text (quoted, plain or a block scalar), in
	// bytes: twice what an expression may be, and far more than a token
	// can carry.
	MaxText = 128 << 10
)

// Bound is a text past one of the bounds: the byte offset where Scan found
// it, a rule name for the finding and its message, which says how to fix
// it.
type Bound struct {
	Off       int
	Rule, Msg string
}

// Scan bounds the nesting and the elements of a YAML text without
// parsing it. It over-counts rather than under-counts: it sees structure
// (a "- " item, a "key:", a flow bracket or comma) wherever YAML could, and
// skips only what YAML cannot read as structure: quoted texts, comments and
// the lines of block scalars (| and >). It returns nil when the text is
// within MaxDepth, MaxNodes and MaxText.
func Scan(src []byte) *Bound {
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

func (s *yamlScan) tooDeep(depth int) *Bound {
	return &Bound{Off: s.i, Rule: "yaml-depth", Msg: fmt.Sprintf(
		"lists and objects nest more than %d levels deep here; a mapping needs a few: flatten it", MaxDepth)}
}

// tooLong is a text (quoted, plain or a block scalar) over MaxText:
// no expression may be that long, nor a value a token can carry.
func (s *yamlScan) tooLong(off int) *Bound {
	return &Bound{Off: off, Rule: "text-size", Msg: fmt.Sprintf(
		"this text is longer than %d bytes, more than an expression may be or a token can carry: remove what it does not need", MaxText)}
}

func (s *yamlScan) node() *Bound {
	s.nodes++
	if s.nodes > MaxNodes {
		return &Bound{Off: s.i, Rule: "yaml-size", Msg: fmt.Sprintf(
			"the mapping has more than %d keys, values and list items; a mapping has a few hundred: remove what it does not need, or split it", MaxNodes)}
	}
	return nil
}

func (s *yamlScan) run() *Bound {
	for s.i < len(s.src) {
		if b := s.line(); b != nil {
			return b
		}
	}
	return nil
}

// line scans one line from its start (s.i) past its end.
func (s *yamlScan) line() *Bound {
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
			if s.i-s.blockStart > MaxText {
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
		if depth > MaxDepth {
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
			if s.i-start > MaxText {
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
			if depth+1 > MaxDepth {
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
		} else if s.i-plain > MaxText {
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
