package inlinetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/datafile"
	"github.com/claimsmapper/claimsmapper/internal/dynval"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Case is one inline test, ready to run.
type Case struct {
	Name string
	// Path is the test's place in the mapping, by name: tests["ben gets his name"].
	Path string
	Pos  config.Pos
	// Env resolves the mapping's ${VAR} references before the process environment does.
	Env   map[string]string
	Event *mapper.Event
	// Data serves the sources; it is empty when the test gives none.
	Data   *datafile.Data
	Expect Expect
}

// Expect is what a test checks. A nil field is not checked.
type Expect struct {
	// IDToken and AccessToken are the claims added or overridden, exactly these.
	IDToken, AccessToken map[string]any
	// IDTokenIncludes and AccessTokenIncludes are claims the token must have
	// (or, with null, must not have); claims they do not name are not checked.
	IDTokenIncludes, AccessTokenIncludes map[string]any
	Suppressed                           *[]string
	ScopesAdded                          *[]string
	ScopesSuppressed                     *[]string
	Groups                               *[]string
	// Error, when set, is text the event's failure must contain.
	Error *string
}

var (
	caseKeys   = []string{"name", "event", "data", "env", "expect"}
	expectKeys = []string{"idToken", "accessToken", "idTokenIncludes", "accessTokenIncludes", "suppressed", "scopesAdded", "scopesSuppressed", "groups", "error"}
)

// FirstEnv returns the env: of the suite's first test that has one, with
// the test's name and line, or nil; a test that has other mistakes counts
// too. The CLI uses it to resolve ${NAME} when nothing else sets them.
func (s *Suite) FirstEnv() (env map[string]string, name string, line int) {
	if s.tests == nil || yamlnode.Deref(s.tests).Kind != yaml.SequenceNode {
		return nil, "", 0
	}
	for _, t := range yamlnode.Deref(s.tests).Content {
		t = yamlnode.Deref(t)
		if t.Kind != yaml.MappingNode {
			continue
		}
		env, name = nil, ""
		for i := 0; i+1 < len(t.Content); i += 2 {
			k, v := yamlnode.Deref(t.Content[i]), yamlnode.Deref(t.Content[i+1])
			switch k.Value {
			case "name":
				name = v.Value
			case "env":
				if v.Decode(&env) != nil {
					env = nil
				}
			}
		}
		if len(env) > 0 {
			return env, name, t.Line
		}
	}
	return nil, "", 0
}

// reader walks the tests: node and collects findings.
type reader struct {
	yr yamlnode.Reader
	// values reads every value of the tests within one alias budget.
	values         *yamlnode.ValueReader
	file           string
	dir            string
	triggerVersion string
	// within, when set, is the only folder files may be read from.
	within string
	// away is a mapping with no folder on this machine (ParseAway): a test
	// whose file is not there is not run, rather than a finding.
	away bool
	// notRun are the tests away left out; skip marks the test being read.
	notRun   []NotRun
	skip     bool
	findings []config.Finding
	// warnings do not stop a test from running, unlike findings.
	warnings []config.Finding
}

func parseTests(r *reader, tests *yaml.Node) ([]*Case, []config.Finding) {
	if tests == nil {
		return nil, nil
	}
	r.yr = yamlnode.Reader{Report: func(n *yaml.Node, path, kind, msg string) { r.errorf(n, path, "tests-"+kind, "%s", msg) }}
	n := yamlnode.Deref(tests)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, "tests", "tests-type", "tests should be a list of tests, each starting with \"- name:\", not %s", yamlnode.Describe(n))
		return nil, r.findings
	}
	var cases []*Case
	names := map[string]int{}
	for _, item := range n.Content {
		path := testPath(item)
		c := r.testCase(item, path)
		if c == nil {
			continue
		}
		if line, dup := names[c.Name]; dup {
			r.errorf(item, path+".name", "tests-duplicate-name", "two tests are named %q (the other is at line %d); give each test its own name", c.Name, line)
		}
		names[c.Name] = c.Pos.Line
		cases = append(cases, c)
	}
	r.findings = append(r.findings, r.warnings...)
	config.Sort(r.findings)
	return cases, r.findings
}

// testPath names a test in messages by its name, or by its line when it
// has none: authors count tests by what they say, not from 0.
func testPath(n *yaml.Node) string {
	n = yamlnode.Deref(n)
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k, v := yamlnode.Deref(n.Content[i]), yamlnode.Deref(n.Content[i+1]); k.Value == "name" && v.Kind == yaml.ScalarNode && v.Tag == "!!str" && strings.TrimSpace(v.Value) != "" {
				return fmt.Sprintf("tests[%q]", v.Value)
			}
		}
	}
	return fmt.Sprintf("tests[line %d]", n.Line)
}

// baseDir is where a test's relative paths start: the mapping's folder.
func baseDir(file string) string {
	if file == "" || file == "-" {
		return "."
	}
	return filepath.Dir(file)
}

func (r *reader) errorf(n *yaml.Node, path, rule, format string, args ...any) {
	f := config.Finding{File: r.file, Path: path, Severity: config.SevError, Rule: rule, Message: fmt.Sprintf(format, args...)}
	if n != nil {
		f.Pos = config.Pos{Line: n.Line, Column: n.Column}
	}
	r.findings = append(r.findings, f)
}

func (r *reader) testCase(n *yaml.Node, path string) *Case {
	fields := r.yr.Object(n, path, caseKeys)
	if fields == nil {
		return nil
	}
	// A test with any problem is not run: every problem is reported instead.
	before, notRun := len(r.findings), len(r.notRun)
	r.skip = false
	c := &Case{Path: path, Pos: config.Pos{Line: yamlnode.Deref(n).Line, Column: yamlnode.Deref(n).Column}, Data: datafile.New(nil)}
	if e, has := fields["name"]; has {
		c.Name, _ = r.text(e.Val, path+".name")
	} else {
		r.errorf(n, path, "tests-required", "this test has no name; add \"name:\" with a few words saying what it checks")
	}
	if e, has := fields["event"]; has {
		c.Event = r.event(e.Val, path+".event")
		if w := authoring.VersionMismatch(r.triggerVersion, c.Event); w != "" {
			// A warning only: the test still runs.
			r.warnings = append(r.warnings, config.Finding{File: r.file, Path: path + ".event", Severity: config.SevWarning, Rule: "tests-version",
				Pos:     config.Pos{Line: e.Val.Line, Column: e.Val.Column},
				Message: fmt.Sprintf("%s; to test %s, set the event's \"version\" to %q", strings.Replace(w, "this shows", "this test checks", 1), r.triggerVersion, r.triggerVersion[1:2])})
		}
	} else {
		r.errorf(n, path, "tests-required", "this test has no event; add \"event:\" with the path of an event file or the event itself")
	}
	if e, has := fields["data"]; has {
		if d := r.data(e.Val, path+".data"); d != nil {
			c.Data = d
		}
	}
	if e, has := fields["env"]; has {
		c.Env = r.env(e.Val, path+".env")
	}
	if e, has := fields["expect"]; has {
		c.Expect = r.expect(e.Val, path+".expect")
	} else {
		r.errorf(n, path, "tests-required", "this test has no expect: section, so it checks nothing; add \"expect:\" with idToken:, accessToken: or error:")
	}
	for i := notRun; i < len(r.notRun); i++ {
		r.notRun[i].Test, r.notRun[i].Pos = c.Name, c.Pos
	}
	if len(r.findings) > before || r.skip {
		return nil
	}
	return c
}

// NotRun is a test of a mapping read from elsewhere (ParseAway) that was
// not run, since a file it names is not in the folder its files are read from.
type NotRun struct {
	// Test is the test's name, Pos where it starts.
	Test string
	Pos  config.Pos
	// File is the file it names, as written, and Dir the folder it was
	// looked for in.
	File string
	Dir  string
}

// absent records, for a mapping read from elsewhere, that the test being
// read names a file that is not there: the test is not run. It reports
// false, leaving the error to the caller, in every other case.
func (r *reader) absent(n *yaml.Node, err error) bool {
	if !r.away || !errors.Is(err, os.ErrNotExist) {
		return false
	}
	r.skip = true
	r.notRun = append(r.notRun, NotRun{File: n.Value, Dir: r.dir})
	return true
}

func (r *reader) event(n *yaml.Node, path string) *mapper.Event {
	n = yamlnode.Deref(n)
	var raw []byte
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!str":
		if r.outside(n, path, n.Value) || r.special(n, path, "tests-event") {
			return nil
		}
		b, err := os.ReadFile(r.resolve(n.Value))
		if r.absent(n, err) {
			return nil
		}
		if err != nil {
			r.errorf(n, path, "tests-event", "cannot read the event file %q: %s; the path is relative to the mapping file", n.Value, PlainIOError(err))
			return nil
		}
		raw = b
	case n.Kind == yaml.MappingNode:
		v, err := r.value(n, path, "tests-event")
		if err != nil {
			return nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			r.errorf(n, path, "tests-event", "the event cannot be written as JSON: %s", err)
			return nil
		}
		raw = b
	default:
		r.errorf(n, path, "tests-type", "event should be the path of an event file, or the event written as key: value lines, not %s", yamlnode.Describe(n))
		return nil
	}
	ev, err := mapper.DecodeEvent(raw)
	if err != nil {
		if n.Kind == yaml.ScalarNode {
			// The file is not the mapping: say where it is wrong, never
			// what it holds (see fileProblem).
			r.errorf(n, path, "tests-event", "the event file %q %s", n.Value, fileProblem(raw))
			return nil
		}
		r.errorf(n, path, "tests-event", "%s", err)
		return nil
	}
	return ev
}

// dataProblem says why a data file a test names cannot be used, with the
// position of its first mistake but none of its text (see fileProblem).
func dataProblem(err error) string {
	var cfg *config.Error
	if errors.As(err, &cfg) && len(cfg.Findings) > 0 {
		p := cfg.Findings[0].Pos
		return fmt.Sprintf("it is not a valid data file (the first mistake is at line %d, column %d); use `claimsmapper run --data FILE` to see the details", p.Line, p.Column)
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return PlainIOError(err) + "; the path is relative to the mapping file"
	}
	return "it is not a valid data file; use `claimsmapper run --data FILE` to see the details"
}

// fileProblem says what is wrong with a file a test names, in words that
// quote none of its text: the mapping names the file, and whoever writes the
// mapping (a pull request, say) must not learn what a file of the machine
// that lints it holds. The position is enough to find the mistake; `run`
// with the file named on its command line gives the details.
func fileProblem(raw []byte) string {
	if !json.Valid(raw) {
		line, col := lineCol(raw, offset(raw))
		return fmt.Sprintf("is not valid JSON (the first mistake is at line %d, column %d); fix it there, or use `claimsmapper run --event FILE` to see the details", line, col)
	}
	return "is JSON but not a Cognito pre token generation event of version 1, 2 or 3; use `claimsmapper run --event FILE` to see what is wrong with it"
}

// offset is where the JSON decoder stops in raw, or 0.
func offset(raw []byte) int64 {
	var v any
	err := json.Unmarshal(raw, &v)
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return syn.Offset
	}
	return int64(len(raw))
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(raw []byte, off int64) (int, int) {
	if off > int64(len(raw)) {
		off = int64(len(raw))
	}
	before := raw[:off]
	line := 1 + bytes.Count(before, []byte("\n"))
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

func (r *reader) resolve(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.dir, p)
}

// outside reports, as a finding, a file that lies outside the folder test
// files may be read from: the one given to ParseWithin, else the mapping's
// own. A mapping comes from a pull request or a colleague, so the files it
// names are untrusted: lint in CI must not open the runner's other files.
func (r *reader) outside(n *yaml.Node, path, p string) bool {
	within := r.within
	if within == "" {
		within = r.dir
	}
	if _, ok := Within(within, r.resolve(p)); ok {
		return false
	}
	if r.away {
		r.errorf(n, path, "tests-outside-folder", "%q is outside the current folder, which is the only place the tests' files of a mapping read from S3 are read from; it was not read", n.Value)
		return true
	}
	r.errorf(n, path, "tests-outside-folder", "%q is outside the mapping's folder, which is the only place a test's files are read from; move the file next to the mapping (or into a folder below it) and name it from there", n.Value)
	return true
}

// Within reports whether the file p lies in the folder dir once symbolic
// links are followed, and gives its path relative to dir, with slashes.
// The studio and every CLI command read and name test files only where this
// holds. A path that does not exist yet is judged by its nearest folder that
// does, links followed, so a link out of dir cannot hide behind a name that
// has no file yet.
func Within(dir, p string) (string, bool) {
	// Both absolute, so a relative folder and an absolute path compare.
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	p, ok := resolveExisting(filepath.Clean(p))
	if !ok {
		return "", false
	}
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// resolveExisting follows the links of p's longest part that exists and
// joins the rest to it, so a path through a linked folder to a file not yet
// written resolves where that file would land. It reports false for a path
// through a link that points nowhere, whose target no one can judge.
func resolveExisting(p string) (string, bool) {
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(real, rest), true
		}
		if _, lerr := os.Lstat(p); lerr == nil {
			return "", false // it exists, but a link in it leads nowhere
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest), true
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// special reports, as a finding, a path the mapping names that is a device
// or a pipe rather than a file: reading /dev/zero or /dev/stdin would never
// end, and lint must finish on any mapping.
func (r *reader) special(n *yaml.Node, path, rule string) bool {
	fi, err := os.Stat(r.resolve(n.Value))
	if err != nil || fi.Mode().IsRegular() || fi.IsDir() {
		return false // reading it says what is wrong, if anything
	}
	r.errorf(n, path, rule, "%q is not a file but a device or a pipe; name a file next to the mapping", n.Value)
	return true
}

// PlainIOError says why a file could not be read, without the Go
// operation name and path os errors repeat.
func PlainIOError(err error) string {
	if errors.Is(err, os.ErrNotExist) {
		return "there is no such file"
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	// A rename (the studio's save) fails with both paths in the message.
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}

func (r *reader) data(n *yaml.Node, path string) *datafile.Data {
	n = yamlnode.Deref(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		if r.outside(n, path, n.Value) || r.special(n, path, "tests-data") {
			return nil
		}
		d, err := datafile.Load(r.resolve(n.Value))
		if r.absent(n, err) {
			return nil
		}
		if err != nil {
			r.errorf(n, path, "tests-data", "cannot use the data file %q: %s", n.Value, dataProblem(err))
			return nil
		}
		return d
	}
	d, fs := datafile.Decode(r.file, n, path)
	for _, f := range fs {
		f.Rule = "tests-" + f.Rule
		r.findings = append(r.findings, f)
	}
	return d
}

func (r *reader) env(n *yaml.Node, path string) map[string]string {
	out := map[string]string{}
	for _, e := range r.entries(n, path) {
		v := yamlnode.Deref(e.Val)
		if v.Kind != yaml.ScalarNode || v.Tag == "!!null" {
			r.errorf(v, yamlnode.Join(path, e.Key.Value), "tests-type", "the value of %s should be text, not %s", e.Key.Value, yamlnode.Describe(v))
			continue
		}
		out[e.Key.Value] = v.Value
	}
	return out
}

func (r *reader) expect(n *yaml.Node, path string) Expect {
	var x Expect
	fields := r.yr.Object(n, path, expectKeys)
	if fields == nil {
		return x
	}
	if e, ok := fields["idToken"]; ok {
		x.IDToken = r.claims(e.Val, path+".idToken")
	}
	if e, ok := fields["accessToken"]; ok {
		x.AccessToken = r.claims(e.Val, path+".accessToken")
	}
	if e, ok := fields["idTokenIncludes"]; ok {
		x.IDTokenIncludes = r.claims(e.Val, path+".idTokenIncludes")
		r.notBoth(fields, "idToken", "idTokenIncludes", path)
	}
	if e, ok := fields["accessTokenIncludes"]; ok {
		x.AccessTokenIncludes = r.claims(e.Val, path+".accessTokenIncludes")
		r.notBoth(fields, "accessToken", "accessTokenIncludes", path)
	}
	x.Suppressed = r.list(fields, "suppressed", path)
	x.ScopesAdded = r.list(fields, "scopesAdded", path)
	x.ScopesSuppressed = r.list(fields, "scopesSuppressed", path)
	x.Groups = r.list(fields, "groups", path)
	if e, ok := fields["error"]; ok {
		if s, ok := r.text(e.Val, path+".error"); ok {
			x.Error = &s
		}
		if len(fields) > 1 {
			r.errorf(e.Key, path+".error", "tests-expect", "a test that expects an error checks nothing else, since a failed event adds no claims; move the other expectations to another test")
		}
	}
	return x
}

// notBoth reports a test that checks one token both exactly and in part:
// the exact form already checks every claim.
func (r *reader) notBoth(fields map[string]yamlnode.Entry, exact, part, path string) {
	if _, ok := fields[exact]; ok {
		e := fields[part]
		r.errorf(e.Key, path+"."+part, "tests-expect", "%s: checks every claim of the token and %s: only the ones it names; use one of them (move these claims into %s:)", exact, part, exact)
	}
}

// claims reads the expected claims of one token; {} means "adds none".
func (r *reader) claims(n *yaml.Node, path string) map[string]any {
	out := map[string]any{}
	for _, e := range r.entries(n, path) {
		if v, err := r.value(e.Val, yamlnode.Join(path, e.Key.Value), "tests-type"); err == nil {
			out[e.Key.Value] = v
		}
	}
	return out
}

// value reads a value written in a test through mapper's value model, as
// data files and the function's lookups are read.
func (r *reader) value(n *yaml.Node, path, rule string) (any, error) {
	if r.values == nil {
		r.values = yamlnode.NewValueReader()
	}
	cv, err := r.values.Read(n)
	if err == nil {
		var v any
		if v, err = dynval.Data(cv); err == nil {
			return v, nil
		}
	}
	r.valueError(n, path, rule, err)
	return nil, err
}

// valueError reports a value that cannot be read, at its position.
func (r *reader) valueError(n *yaml.Node, path, rule string, err error) {
	if ve, ok := err.(*yamlnode.ValueError); ok {
		r.errorf(&yaml.Node{Line: ve.Line, Column: ve.Column}, path, rule, "%s", ve.Msg)
		return
	}
	r.errorf(n, path, rule, "the value cannot be read: %s", err)
}

func (r *reader) list(fields map[string]yamlnode.Entry, key, path string) *[]string {
	e, ok := fields[key]
	if !ok {
		return nil
	}
	n := yamlnode.Deref(e.Val)
	out := []string{}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return &out
	}
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, path+"."+key, "tests-type", "%s should be a list such as [a, b] (or [] for none), not %s", key, yamlnode.Describe(n))
		return nil
	}
	for _, it := range n.Content {
		s, ok := r.text(it, path+"."+key)
		if ok {
			out = append(out, s)
		}
	}
	return &out
}
