package studio

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/expr-lang/expr/builtin"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/internal/preview"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// evalTimeout bounds one evaluation, lookups included.
const evalTimeout = 10 * time.Second

// finding is a lint finding as the page shows it.
type finding struct {
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity string `json:"severity"`
	Rule     string `json:"rule"`
	Message  string `json:"message"`
}

func findingsOut(fs []config.Finding) (out []finding, errs int) {
	out = []finding{}
	for _, f := range fs {
		if f.Severity == config.SevError {
			errs++
		}
		out = append(out, finding{Line: f.Pos.Line, Column: f.Pos.Column, Severity: f.Severity.String(), Rule: f.Rule, Message: lint.WithPath(f)})
	}
	return out, errs
}

// claimOut is one claim of a token as the page shows it.
type claimOut struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
	Was   any    `json:"was,omitempty"`
	// Change is unchanged, added, overridden or suppressed.
	Change string `json:"change"`
	// Cognito marks a claim Cognito itself puts in the token.
	Cognito bool `json:"cognito"`
	// Placeholder marks a value the preview invents (times, ids).
	Placeholder bool `json:"placeholder"`
}

type tokenOut struct {
	Name     string     `json:"name"`
	Claims   []claimOut `json:"claims"`
	Size     int        `json:"size"`
	TooLarge bool       `json:"tooLarge"`
}

func tokensOut(p *preview.Preview) []tokenOut {
	var out []tokenOut
	for _, t := range p.Tokens() {
		to := tokenOut{Name: t.Name, Size: t.Size, TooLarge: t.Size > preview.MaxHeaderSize, Claims: []claimOut{}}
		for _, c := range t.Claims {
			to.Claims = append(to.Claims, claimOut{Name: c.Name, Value: c.Value, Was: c.Was, Change: c.Change.String(),
				Cognito: c.Change != preview.Added, Placeholder: c.Placeholder})
		}
		out = append(out, to)
	}
	return out
}

type evalRequest struct {
	Source  string  `json:"source"`
	User    userRef `json:"user"`
	Version string  `json:"version"`
	// Groups, when not null, are the groups the user is in (event.groups),
	// as claimsmapper preview --group sets them.
	Groups *[]string `json:"groups"`
}

type evalResponse struct {
	Findings []finding `json:"findings"`
	Errors   int       `json:"errors"`
	// Tokens is empty when the mapping does not load or the event failed;
	// Problem then says why.
	Tokens  []tokenOut `json:"tokens"`
	Problem string     `json:"problem,omitempty"`
	Explain string     `json:"explain"`
	// Log holds what the mapping reported while the event ran.
	Log string `json:"log,omitempty"`
	// Version is the trigger version the event ran with.
	Version string `json:"version,omitempty"`
	// Tests are the inline tests' names, for the user list.
	Tests []string `json:"tests"`
	// Sources and Attributes feed completion in the editor.
	Sources    []string            `json:"sources"`
	Attributes map[string][]string `json:"attributes"`
}

func (s *Server) handleEvaluate(w http.ResponseWriter, r *http.Request) {
	var req evalRequest
	if !decode(w, r, &req) {
		return
	}
	writeJSON(w, http.StatusOK, s.evaluate(r.Context(), req))
}

// evaluation is one run of the editor's text for a user.
type evaluation struct {
	event  *mapper.Event
	raw    map[string]any // the event JSON; nil for an inline test
	test   *inlinetest.Case
	result *mapper.Result
	trace  *mapper.Trace
	log    string
	err    error // the user has no event, the mapping did not load, or the event failed
	noUser bool  // err says why the user's event could not be made
	loaded bool  // the mapping loaded
}

func (s *Server) evaluate(ctx context.Context, req evalRequest) evalResponse {
	ws := s.open([]byte(req.Source))
	resp := evalResponse{Tests: []string{}, Tokens: []tokenOut{}, Attributes: map[string][]string{}, Sources: []string{}}
	resp.Findings, resp.Errors = findingsOut(ws.Lint())
	for _, c := range ws.Tests() {
		resp.Tests = append(resp.Tests, c.Name)
	}
	if m := ws.Mapping(); m != nil {
		for _, src := range m.Sources {
			resp.Sources = append(resp.Sources, src.Name)
		}
		resp.Attributes = s.attributeNames(m)
	}
	rn := s.run(ctx, ws, req.User, req.Version, req.Groups)
	if rn.event != nil {
		resp.Version = rn.event.Version
	}
	resp.Log = rn.log
	if rn.trace != nil {
		var b bytes.Buffer
		preview.WriteExplain(&b, rn.trace, rn.err)
		resp.Explain = b.String()
	}
	switch {
	case rn.noUser:
		resp.Problem = rn.err.Error()
	case rn.err != nil && !rn.loaded:
		resp.Problem = "the mapping does not load: " + firstLine(rn.err)
	case rn.err != nil:
		resp.Problem = describeEventError(rn.err)
	default:
		resp.Tokens = tokensOut(preview.Build(rn.event, rn.result))
	}
	return resp
}

// run evaluates the mapping for a user, with the trace.
func (s *Server) run(ctx context.Context, ws *workspace.Workspace, u userRef, version string, groups *[]string) evaluation {
	var rn evaluation
	if u.Kind == kindTest {
		if rn.test = ws.Test(u.ID); rn.test == nil {
			rn.err, rn.noUser = fmt.Errorf("there is no inline test named %q any more", u.ID), true
			return rn
		}
		ev := *rn.test.Event
		if version != "" {
			if ev.ClientCredentials() && version != "3" {
				rn.err, rn.noUser = fmt.Errorf("this test's event is a client-credentials (machine-to-machine) event, which only version 3 has"), true
				return rn
			}
			ev.Version = version
		}
		if groups != nil {
			ev.Groups = append([]string{}, *groups...)
		}
		rn.event = &ev
	} else {
		raw, user, err := s.eventFor(u)
		if err == nil {
			si := workspace.SignIn{Version: version, User: user}
			if groups != nil {
				si.Groups = append([]string{}, *groups...)
			}
			raw, err = si.Rewrite(raw, ws.Mapping())
		}
		if err == nil {
			rn.event, err = mapper.DecodeEvent(raw)
		}
		if err != nil {
			rn.err, rn.noUser = err, true
			return rn
		}
		json.Unmarshal(raw, &rn.raw)
	}
	var log bytes.Buffer
	var mp *mapper.Mapper
	var err error
	if rn.test != nil {
		mp, err = ws.TestMapper(rn.test, preview.WarningLog(&log))
	} else {
		mp, err = ws.Mapper(s.opts.Store, preview.WarningLog(&log))
	}
	if err != nil {
		rn.err = err
		return rn
	}
	rn.loaded = true
	ctx, cancel := context.WithTimeout(ctx, evalTimeout)
	defer cancel()
	rn.result, rn.trace, rn.err = mp.EvaluateTrace(ctx, rn.event)
	rn.log = log.String()
	return rn
}

func describeEventError(err error) string {
	return "the sign-in would fail: " + authoring.DescribeError(err)
}

func firstLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " (and more: see the findings)"
	}
	return s
}

// eventFields are the names under event. in expressions, from the Event
// type's expr tags.
func eventFields() []string {
	var out []string
	t := reflect.TypeOf(mapper.Event{})
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("expr"); tag != "" {
			out = append(out, tag)
		}
	}
	sort.Strings(out)
	return out
}

// functions are the expression language's functions, for completion.
func functions() []string {
	var out []string
	for _, f := range builtin.Builtins {
		if f.Name != "" && !strings.HasPrefix(f.Name, "$") {
			out = append(out, f.Name)
		}
	}
	sort.Strings(out)
	return out
}
