package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/internal/loadcount"
	"github.com/claimsmapper/claimsmapper/internal/mappingdoc"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// MaxSize is the largest mapping, in bytes, that loads unless Options
// says otherwise: a mapping is a few kilobytes, and a wrong S3 key must not
// make the function read a large object into memory. The fetchers stop
// reading at this size too.
const MaxSize = 1 << 20

// Options changes how a mapping is read.
type Options struct {
	// MaxSize is the largest text accepted, in bytes; 0 means MaxSize.
	MaxSize int
}

// Parse reads and validates a mapping and returns it with every finding,
// warnings included. The mapping is as complete as the errors allow (nil
// when the text is too large or not a YAML mapping at all); it must not be
// run unless Errors(findings) is nil. Package mapper's Load is the one
// caller outside tests: it compiles what Parse returns.
func Parse(file string, src []byte, opts Options) (*Mapping, []Finding) {
	m, fs, _ := parse(file, src, opts)
	return m, fs
}

// The author's tools reach parse through package mappingdoc: the inline
// tests read their section from the one parse of the text.
func init() { mappingdoc.Register(parse) }

// parse is Parse that also returns what the text holds for the inline
// tests (mappingdoc.Doc), read from the same YAML tree: its tests: section
// as written, even when the rest of the mapping is wrong, as long as the
// text is a YAML mapping within the bounds.
func parse(file string, src []byte, opts Options) (*Mapping, []Finding, mappingdoc.Doc) {
	limit := opts.MaxSize
	if limit <= 0 {
		limit = MaxSize
	}
	if len(src) > limit {
		return nil, []Finding{{File: file, Pos: Pos{Line: 1, Column: 1}, Severity: SevError, Rule: "size",
			Message: fmt.Sprintf("this mapping is %d bytes, more than the %d bytes the function loads; a mapping is a few kilobytes: remove what it does not need", len(src), limit)}}, mappingdoc.Doc{}
	}
	p := &parser{file: file, src: src, opts: opts, lineStarts: yamlnode.LineStarts(src)}
	// Before the YAML library reads it: see bounds.go.
	if b := yamlnode.Scan(src); b != nil {
		return nil, []Finding{{File: file, Pos: p.posOf(b.Off), Severity: SevError, Rule: b.Rule, Message: b.Msg}}, mappingdoc.Doc{}
	}
	p.r = yamlnode.Reader{Report: func(n *yaml.Node, path, kind, msg string) { p.errorf(n, path, kind, "%s", msg) }}
	m := &Mapping{File: file, Size: len(src), Timeout: DefaultTimeout, OnClaimError: claimErrorPolicies[0]}
	if !p.parse(m) || outOfBounds(p.findings) {
		m = nil
	} else {
		m.slots = p.slots
		for _, sl := range p.slots {
			for _, r := range sl.refs {
				m.vars = append(m.vars, r.name)
			}
		}
		slices.Sort(m.vars)
		m.vars = slices.Compact(m.vars)
	}
	if len(src) > maxInlineSize {
		p.findings = append(p.findings, Finding{File: file, Pos: Pos{Line: 1, Column: 1}, Severity: SevInfo, Rule: "size",
			Message: fmt.Sprintf("this mapping is %d bytes; Lambda environment variables hold 4 KB in total, so deploy it from S3 (CLAIMS_MAPPING_URI) rather than inline in CLAIMS_MAPPING", len(src))})
	}
	Sort(p.findings)
	return m, p.findings, p.doc
}

// secondDocument finds the --- (or ...) line that ends the first document.
func (p *parser) secondDocument() Pos {
	line, col := yamlnode.SecondDocument(p.src)
	return Pos{line, col}
}

// yamlError reports a YAML syntax error where it is, in plain words.
func (p *parser) yamlError(err error) {
	line, col, rule, msg := yamlnode.SyntaxError(p.src, err)
	p.findings = append(p.findings, Finding{File: p.file, Pos: Pos{line, col}, Severity: SevError, Rule: rule, Message: msg})
}

// maxInlineSize is what fits in CLAIMS_MAPPING: Lambda allows 4 KB for all
// environment variables together.
const maxInlineSize = 4096

type parser struct {
	r          yamlnode.Reader
	file       string
	src        []byte
	opts       Options
	lineStarts []int
	cursor     cursor // where posOf last was
	findings   []Finding
	// values reads every const: within one alias budget.
	values *yamlnode.ValueReader
	// slots are the texts with ${NAME} references, for Bind; cur is the
	// source being read, whose table and index they may be.
	slots []*slot
	cur   *Source
	// exprTokens counts the tokens of the expressions read so far, against
	// maxMappingTokens; tooManyTokens is set once that is reported.
	exprTokens    int
	tooManyTokens bool
	// constDone are the constants' nodes already read for references,
	// across the whole mapping: an anchor another claim repeats (*name) is
	// read once, so a "$${" that became "${" is never a reference;
	// constSlots are the texts among them that hold references.
	constDone  map[*yaml.Node]bool
	constSlots map[Pos]*slot
	// constPlain are the positions of the constants' texts that hold a
	// "${" but no reference: their "$${" become "${" (unescape).
	constPlain map[Pos]bool
	// doc is what the text holds for the inline tests.
	doc mappingdoc.Doc
}

func (p *parser) report(n *yaml.Node, path, rule string, sev Severity, format string, args ...any) {
	f := Finding{File: p.file, Path: path, Severity: sev, Rule: rule, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		f.Pos = Pos{Line: n.Line, Column: n.Column}
	}
	p.findings = append(p.findings, f)
}

func (p *parser) errorf(n *yaml.Node, path, rule, format string, args ...any) {
	p.report(n, path, rule, SevError, format, args...)
}

// parse fills m; it returns false when the text is not a YAML mapping at
// all, so there is nothing to compile.
func (p *parser) parse(m *Mapping) bool {
	dec := yaml.NewDecoder(bytes.NewReader(p.src))
	var doc yaml.Node
	loadcount.Parsed()
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		p.yamlError(err)
		return false
	}
	if len(doc.Content) > 0 {
		p.doc = testsDoc(doc.Content[0])
	}
	// A YAML library reads the first document and drops the rest, so a
	// second one would be silently ignored: refuse it.
	var more yaml.Node
	if err := dec.Decode(&more); !errors.Is(err, io.EOF) && (err != nil || len(more.Content) > 0) {
		p.findings = append(p.findings, Finding{File: p.file, Pos: p.secondDocument(), Severity: SevError, Rule: "multi-document",
			Message: "this file holds more than one YAML document (a --- line starts another), and the function would read only the first; remove the --- line and merge what follows into the mapping, or move it to a file of its own"})
		return false
	}
	if len(doc.Content) == 0 {
		p.findings = append(p.findings, Finding{File: p.file, Pos: Pos{1, 1}, Severity: SevError, Rule: "yaml",
			Message: "the mapping is empty; start with \"version: 1\" and a claims: section"})
		return false
	}
	root := doc.Content[0]
	fields := p.r.Object(root, "", topKeys)
	if fields == nil {
		return false
	}
	if e, ok := fields["version"]; ok {
		v, ok := p.r.Int(e.Val, "version")
		if ok && v != Current {
			p.errorf(e.Val, "version", "version", "version %d is not supported by this claimsmapper; use version: %d", v, Current)
		}
		m.Version = v
	} else {
		p.errorf(root, "", "required", "the mapping has no version; add \"version: 1\" as its first line")
	}
	if e, ok := fields["triggerVersion"]; ok {
		if s, ok := p.r.Str(e.Val, "triggerVersion"); ok {
			if slices.Contains(triggerVersions, s) {
				m.TriggerVersion = s
			} else {
				p.errorf(e.Val, "triggerVersion", "enum", "triggerVersion %q is not a Cognito trigger version; use %s%s",
					s, orList(triggerVersions), didYouMean(s, triggerVersions))
			}
		}
	}
	if e, ok := fields["timeout"]; ok {
		if d, ok := p.r.Duration(e.Val, "timeout"); ok {
			if d > MaxTimeout {
				p.errorf(e.Val, "timeout", "timeout", "timeout %s is too long: Cognito gives the whole trigger 5s, so use at most %s", d, MaxTimeout)
			}
			m.Timeout = d
		}
	}
	if e, ok := fields["onClaimError"]; ok {
		m.OnClaimError = p.policy(e.Val, "onClaimError", claimErrorPolicies...)
	}
	if e, ok := fields["sources"]; ok {
		m.Sources = p.sources(e.Val)
	}
	if e, ok := fields["claims"]; ok {
		m.Claims = p.claims(e.Val)
	} else {
		p.report(root, "", "no-claims", SevWarning, "the mapping has no claims: section, so it adds nothing to the tokens")
	}
	if e, ok := fields["suppress"]; ok {
		m.Suppress = p.suppressions(e.Val)
	}
	if e, ok := fields["groups"]; ok {
		m.Groups = p.groups(e.Val)
	}
	if e, ok := fields["scopes"]; ok {
		m.Scopes = p.scopes(e.Val)
		if m.TriggerVersion == "V1_0" {
			p.errorf(e.Key, "scopes", "v1-access", "scopes change only the access token, which V1_0 triggers cannot change; set triggerVersion: V2_0 or remove scopes:")
		}
	}
	// tests: is for `claimsmapper test` (package inlinetest reads it); the
	// runtime ignores it.
	p.crossChecks(m)
	return true
}

// testsDoc finds the tests: section of the document whose top is root, and
// the mapping's triggerVersion when Cognito has it. It reads the tree as
// written, before (and whatever) the checks of the rest of the mapping
// find, so that a test's mistakes are reported with the mapping's.
func testsDoc(root *yaml.Node) mappingdoc.Doc {
	var d mappingdoc.Doc
	root = yamlnode.Deref(root)
	if root.Kind != yaml.MappingNode {
		return d
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := yamlnode.Deref(root.Content[i]), yamlnode.Deref(root.Content[i+1])
		switch {
		case k.Kind != yaml.ScalarNode:
		case k.Value == "tests":
			d.Tests = root.Content[i+1]
		case k.Value == "triggerVersion" && v.Kind == yaml.ScalarNode && slices.Contains(triggerVersions, v.Value):
			d.TriggerVersion = v.Value
		}
	}
	return d
}

var topKeys = []string{"version", "triggerVersion", "timeout", "onClaimError", "sources", "claims", "suppress", "groups", "scopes", "tests"}

func (p *parser) policy(n *yaml.Node, path string, allowed ...ErrorPolicy) ErrorPolicy {
	s, ok := p.r.Str(n, path)
	if !ok {
		return allowed[0]
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
		if s == string(a) {
			return a
		}
	}
	p.errorf(yamlnode.Deref(n), path, "enum", "%s should be %s, not %q%s", path, strings.Join(names, " or "), s, didYouMean(s, names))
	return allowed[0]
}

// expr reads an expression scalar and records the file position of each of its bytes.
func (p *parser) expr(n *yaml.Node, path string) *Expr {
	s, ok := p.r.Scalar(n, path, "an expression")
	if !ok {
		return nil
	}
	if strings.TrimSpace(s.Value) == "" {
		p.errorf(s, path, "required", "%s is empty; write an expression such as user.FirstName", path)
		return nil
	}
	// Before expr reads it: see bounds.go. The scan comes before the
	// positions of the expression's bytes are worked out, which cost 16
	// bytes each.
	count, b := scanExpr(s.Value)
	if b != nil {
		pos := Pos{Line: s.Line, Column: s.Column}
		if b.rule == "expr-depth" {
			// Where the bracket too many stands.
			prefix := *s
			prefix.Value = s.Value[:b.off+1]
			if at := p.positions(&prefix); len(at) > b.off {
				pos = at[b.off]
			}
		}
		p.findings = append(p.findings, Finding{File: p.file, Pos: pos, Path: path, Severity: SevError, Rule: b.rule, Message: b.msg})
		return nil
	}
	if p.exprTokens += count; p.exprTokens > maxMappingTokens {
		if !p.tooManyTokens {
			p.tooManyTokens = true
			p.errorf(s, path, "mapping-size", "the expressions of this mapping have more than %d words, numbers, texts and operators in all; a mapping has a few hundred: remove what it does not need, or split it", maxMappingTokens)
		}
		return nil
	}
	e := &Expr{Code: s.Value, Path: path, CutByComment: s.Style == 0 && s.LineComment != ""}
	e.at = p.positions(s)
	if len(e.at) > 0 {
		e.Pos = e.at[0]
	} else {
		e.Pos = Pos{Line: s.Line, Column: s.Column}
	}
	return e
}

// tokens reads a token list: [id], [access] or [id, access].
func (p *parser) tokens(n *yaml.Node, path string) Tokens {
	n = yamlnode.Deref(n)
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
		if len(items) == 0 {
			p.errorf(n, path, "tokens", "%s is empty; list %s or both", path, strings.Join(tokenNameList(), ", "))
			return BothTokens
		}
	}
	var t Tokens
	for _, it := range items {
		s, ok := p.r.Str(it, path)
		if !ok {
			continue
		}
		tok, ok := tokenNamed(s)
		if !ok {
			p.errorf(yamlnode.Deref(it), path, "tokens", "%q is not a token name; use %s%s", s, orList(tokenNameList()), didYouMean(s, tokenNameList()))
			continue
		}
		t |= tok
	}
	if t == 0 {
		return BothTokens
	}
	return t
}

// constValue reads a const: as written; package mapper gives it its meaning.
// A text of it with ${NAME} references, nested ones included, is kept as
// written for Bind to fill in.
func (p *parser) constValue(c *Claim, n *yaml.Node, path string) *Value {
	if p.constDone == nil {
		p.constDone, p.constSlots, p.constPlain = map[*yaml.Node]bool{}, map[Pos]*slot{}, map[Pos]bool{}
	}
	pending := p.constSlots
	p.constTexts(n, path, p.constDone, pending)
	if p.values == nil {
		p.values = yamlnode.NewValueReader()
	}
	yv, err := p.values.Read(n)
	if err != nil {
		f := Finding{File: p.file, Path: path, Severity: SevError, Rule: "const-value", Message: err.Error()}
		if ve, ok := err.(*yamlnode.ValueError); ok {
			f.Pos, f.Message = Pos{ve.Line, ve.Column}, ve.Msg
		}
		p.findings = append(p.findings, f)
		return nil
	}
	v := valueOf(yv)
	if len(p.constPlain) > 0 {
		p.unescape(v)
	}
	if len(pending) > 0 {
		p.attach(c, v, pending)
	}
	return v
}

// unescape turns "$${" into "${" in each text of v that has no reference
// (constTexts noted them), in the value read rather than in the YAML tree:
// the tree is shared with the inline tests (mappingdoc.Doc), which read
// what the author wrote, not what the token gets.
func (p *parser) unescape(v *Value) {
	if v.Kind == Scalar && p.constPlain[v.Pos] {
		v.Text = render(v.Text, nil)
	}
	for _, e := range v.Items {
		p.unescape(e)
	}
}

// attach records a slot for each text of v that holds references; an
// alias repeats its anchor's text, and each repetition is filled alike.
func (p *parser) attach(c *Claim, v *Value, pending map[Pos]*slot) {
	if sl, ok := pending[v.Pos]; ok && v.Kind == Scalar {
		cp := *sl
		cp.value, cp.claim = v, c
		p.slots = append(p.slots, &cp)
	}
	for _, e := range v.Items {
		p.attach(c, e, pending)
	}
}

// constTexts finds the ${NAME} references in every text of a constant:
// a text with none is noted in constPlain, to have its "$${" turned into
// "${" once read (unescape); one with some is kept as written, and noted in
// pending by its position. An alias shares its anchor's node, which is read
// once in the whole mapping. The tree itself is never changed.
func (p *parser) constTexts(n *yaml.Node, path string, done map[*yaml.Node]bool, pending map[Pos]*slot) {
	n = yamlnode.Deref(n)
	if done[n] {
		return
	}
	done[n] = true
	switch n.Kind {
	case yaml.ScalarNode:
		if n.ShortTag() == "!!str" && strings.Contains(n.Value, "${") {
			refs, ok := p.scan(n, path, n.Value)
			if len(refs) == 0 {
				p.constPlain[Pos{n.Line, n.Column}] = true
				return
			}
			pending[Pos{n.Line, n.Column}] = &slot{raw: n.Value, refs: refs, path: path, syntaxErr: !ok}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p.constTexts(c, fmt.Sprintf("%s[%d]", path, i), done, pending)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p.constTexts(n.Content[i+1], yamlnode.Join(path, n.Content[i].Value), done, pending)
		}
	}
}
