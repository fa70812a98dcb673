package studio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
)

type sourceRequest struct {
	Source string `json:"source"`
}

// testOutcome is one inline test's result as the page shows it.
type testOutcome struct {
	Name    string     `json:"name"`
	Line    int        `json:"line"`
	Passed  bool       `json:"passed"`
	Problem string     `json:"problem,omitempty"`
	Diffs   []testDiff `json:"diffs"`
	Log     string     `json:"log,omitempty"`
}

type testDiff struct {
	What     string `json:"what"`
	Expected string `json:"expected"`
	Got      string `json:"got"`
}

type testsResponse struct {
	Outcomes []testOutcome `json:"outcomes"`
	// Problem says why no test ran: the mapping or its tests have errors.
	Problem string `json:"problem,omitempty"`
}

func (s *Server) handleTests(w http.ResponseWriter, r *http.Request) {
	var req sourceRequest
	if !decode(w, r, &req) {
		return
	}
	writeJSON(w, http.StatusOK, s.runTests(r.Context(), []byte(req.Source)))
}

// runTests runs every inline test, as `claimsmapper test` does.
func (s *Server) runTests(ctx context.Context, src []byte) testsResponse {
	resp := testsResponse{Outcomes: []testOutcome{}}
	ctx, cancel := context.WithTimeout(ctx, evalTimeout)
	defer cancel()
	fo, _, err := s.open(src).LintAndTest(ctx, nil)
	switch {
	case err != nil:
		// err carries the findings that refuse the mapping: its errors.
		n := 1
		if ce := (*config.Error)(nil); errors.As(err, &ce) {
			n = len(ce.Findings)
		}
		resp.Problem = fmt.Sprintf("the tests cannot run: the mapping has %d error(s); fix them first (they are underlined in the editor)", n)
		return resp
	case len(fo.Outcomes) == 0:
		resp.Problem = "this mapping has no tests yet; choose a user and press \"Make a test from these tokens\""
		return resp
	}
	for _, o := range fo.Outcomes {
		to := testOutcome{Name: o.Case.Name, Line: o.Case.Pos.Line, Passed: o.Passed(), Problem: o.Problem, Log: o.Log, Diffs: []testDiff{}}
		for _, d := range o.Diffs {
			to.Diffs = append(to.Diffs, testDiff{What: d.What, Expected: d.Expected, Got: d.Actual})
		}
		resp.Outcomes = append(resp.Outcomes, to)
	}
	return resp
}

type newTestRequest struct {
	Source  string  `json:"source"`
	User    userRef `json:"user"`
	Version string  `json:"version"`
	Name    string  `json:"name"`
	// Groups are the user's groups as the page set them (evalRequest's).
	Groups *[]string `json:"groups"`
}

type newTestResponse struct {
	Source string `json:"source"`
	// Line is where the new test starts, to show it.
	Line int `json:"line"`
}

func (s *Server) handleNewTest(w http.ResponseWriter, r *http.Request) {
	var req newTestRequest
	if !decode(w, r, &req) {
		return
	}
	out, line, err := s.newTest(r.Context(), req)
	if err != nil {
		httpError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, newTestResponse{Source: out, Line: line})
}

// newTest adds to the text an inline test that expects what the mapping
// gives the user now.
func (s *Server) newTest(ctx context.Context, req newTestRequest) (string, int, error) {
	ws := s.open([]byte(req.Source))
	if req.User.Kind == kindTest {
		return "", 0, errors.New("this user is already an inline test; choose a sample event or type a user name")
	}
	rn := s.run(ctx, ws, req.User, req.Version, req.Groups)
	if rn.noUser {
		return "", 0, rn.err
	}
	if rn.err != nil && !rn.loaded {
		return "", 0, fmt.Errorf("fix the mapping's errors first: %s", firstLine(rn.err))
	}
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = "what " + rn.event.UserName + " gets"
	}
	if ws.Test(name) != nil {
		return "", 0, fmt.Errorf("a test named %q exists already; give the new one another name", name)
	}
	t := yamlMap()
	add(t, "name", name)
	if env := s.usedEnv(ws); len(env.Content) > 0 {
		add(t, "env", env)
	}
	add(t, "event", s.eventNode(req.User, rn.raw))
	if rel, ok := s.relative(s.opts.DataPath); ok {
		add(t, "data", rel)
	}
	expect := yamlMap()
	if rn.err != nil {
		add(expect, "error", publicMessage(rn.err))
	} else {
		add(expect, "idToken", claimsNode(rn.result.IDClaims))
		if rn.event.Version != "1" && len(rn.result.AccessClaims) > 0 {
			add(expect, "accessToken", claimsNode(rn.result.AccessClaims))
		}
		if len(rn.result.IDSuppress) > 0 {
			add(expect, "suppressed", listNode(rn.result.IDSuppress))
		}
	}
	add(t, "expect", expect)
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode([]*yaml.Node{t}); err != nil {
		return "", 0, err
	}
	item := b.String()
	if _, ok := s.relative(s.opts.DataPath); !ok {
		item += "  # data: the tables and items this test reads (DynamoDB is never used by tests)\n"
	}
	out, line := insertTest(req.Source, item)
	return out, line, nil
}

// relative gives a path relative to the mapping's folder when it is inside it.
func (s *Server) relative(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	return inlinetest.Within(s.dir, abs)
}

// eventNode is the test's event: the sample file's path when it is in the
// mapping's folder and unchanged, else the event itself.
func (s *Server) eventNode(u userRef, raw map[string]any) *yaml.Node {
	if u.Kind == kindEvent {
		for i, e := range s.events {
			if fmt.Sprint(i) == u.ID && fmt.Sprint(e.raw["version"]) == fmt.Sprint(raw["version"]) {
				if rel, ok := s.relative(e.path); ok {
					return scalar(rel)
				}
			}
		}
	}
	var n yaml.Node
	n.Encode(raw)
	return &n
}

// usedEnv is the env: a new test needs: each ${NAME} the mapping reads, as
// the parser finds them (not in a comment, not a $${ literal) and only the
// names the function may read (CLAIMS_MAPPING_ENV, never a reserved one),
// with the value given by --env or, failing that, by a test already in the
// mapping. Never the studio's own environment: a test is saved, committed
// and published, and AWS_SECRET_ACCESS_KEY must not ride along.
func (s *Server) usedEnv(ws *workspace.Workspace) *yaml.Node {
	n := yamlMap()
	n.Style = yaml.FlowStyle
	allowed, err := workspace.Env{}.Allowed()
	if err != nil {
		return n
	}
	fromTests := workspace.Env{Flags: s.opts.Env, Process: noEnv}.OrTests(ws.Tests())
	values := map[string]string{}
	if m := ws.Mapping(); m != nil {
		for _, name := range m.Vars() {
			if v, ok := fromTests(name); ok && slices.Contains(allowed, name) {
				values[name] = v
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(values)) {
		add(n, name, values[name])
	}
	return n
}

// noEnv is an environment with nothing set.
func noEnv(string) (string, bool) { return "", false }

func publicMessage(err error) string {
	msg := describeEventError(err)
	if i := strings.Index(msg, "Cognito would show \""); i >= 0 {
		rest := msg[i+len("Cognito would show \""):]
		if j := strings.Index(rest, "\""); j >= 0 {
			return rest[:j]
		}
	}
	return msg
}

// insertTest puts a test item (a "- name: …" block at column 0) at the end
// of the tests: section, adding the section when there is none. It
// returns the new text and the line the test starts on.
func insertTest(src, item string) (string, int) {
	lines := strings.SplitAfter(src, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	testsAt, end := -1, len(lines)
	for i, l := range lines {
		if testsAt < 0 {
			if strings.HasPrefix(l, "tests:") {
				testsAt = i
			}
			continue
		}
		if l != "" && l[0] != ' ' && l[0] != '\t' && l[0] != '#' && l[0] != '-' && l[0] != '\n' && l[0] != '\r' {
			end = i
			break
		}
	}
	if testsAt >= 0 && strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[testsAt]), "tests:")) != "" {
		// tests: [] or tests: ~ : start the list on the next lines.
		lines[testsAt] = "tests:\n"
	}
	indent := "  "
	if testsAt < 0 {
		body := strings.Join(lines, "")
		if body != "" && !strings.HasSuffix(body, "\n") {
			body += "\n"
		}
		return body + "\ntests:\n" + indentText(item, indent), strings.Count(body, "\n") + 3
	}
	// Line the new item up with the first existing one.
	for _, l := range lines[testsAt+1 : end] {
		t := strings.TrimLeft(l, " ")
		if strings.HasPrefix(t, "- ") || strings.TrimSpace(t) == "-" {
			indent = l[:len(l)-len(t)]
			break
		}
	}
	// After the last line of the section that is not blank or a comment.
	at := end
	for at > testsAt+1 {
		t := strings.TrimSpace(lines[at-1])
		if t != "" && !strings.HasPrefix(t, "#") {
			break
		}
		at--
	}
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		lines[at-1] += "\n"
	}
	out := strings.Join(lines[:at], "") + indentText(item, indent) + strings.Join(lines[at:], "")
	return out, at + 1
}

func indentText(s, indent string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if strings.TrimSpace(l) != "" {
			b.WriteString(indent)
		}
		b.WriteString(l)
	}
	return b.String()
}

func yamlMap() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

func scalar(v string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Value: v, Tag: "!!str"}
}

func add(m *yaml.Node, key string, v any) {
	var n *yaml.Node
	switch v := v.(type) {
	case *yaml.Node:
		n = v
	case string:
		n = scalar(v)
	default:
		n = &yaml.Node{}
		n.Encode(v)
	}
	m.Content = append(m.Content, scalar(key), n)
}

func claimsNode(c map[string]any) *yaml.Node {
	n := yamlMap()
	names := make([]string, 0, len(c))
	for k := range c {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		add(n, k, c[k])
	}
	if len(names) == 0 {
		n.Style = yaml.FlowStyle
	}
	return n
}

func listNode(list []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range list {
		n.Content = append(n.Content, scalar(s))
	}
	return n
}
