package mapper

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/expr-lang/expr/vm"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

// result evaluates the claims, suppressions, groups and scopes into r.
// Under a Backstop, each rule writes r holding the guard's lock, and the
// evaluation ends (errAbandoned) once the caller answered without it.
func (e *evaluation) result(r *Result) (*Result, error) {
	for i, c := range e.mp.claims {
		if !e.at(stageClaims, i) {
			return nil, errAbandoned
		}
		if err := e.claim(r, c); err != nil {
			return nil, err
		}
	}
	for i, s := range e.mp.suppress {
		if !e.at(stageSuppress, i) {
			return nil, errAbandoned
		}
		e.suppression(r, s)
	}
	if !e.at(stageGroups, 0) {
		return nil, errAbandoned
	}
	g, err := e.groupConfig()
	if err != nil {
		return nil, err
	}
	if !e.lock() {
		return nil, errAbandoned
	}
	r.Groups = g
	room := maxChanges - r.changes()
	e.unlock()
	if r.Version != "1" {
		add, err := e.scopes(stageScopesAdd, e.mp.scopeAdd, room)
		if err != nil {
			return nil, err
		}
		del, err := e.scopes(stageScopesDel, e.mp.scopeDel, room-len(add))
		if err != nil {
			return nil, err
		}
		if !e.lock() {
			return nil, errAbandoned
		}
		r.ScopesAdd, r.ScopesSuppress = add, del
		e.unlock()
	}
	if !e.at(stageDone, 0) {
		return nil, errAbandoned
	}
	if err := checkChanges(r); err != nil {
		return nil, err
	}
	return r, nil
}

// failed applies a rule's error policy to its failure: under fail it
// returns the error that fails the event, under omit it logs msg and
// returns nil, and the caller leaves the rule out.
func (e *evaluation) failed(rt *RuleTrace, what, msg string, err error, attrs ...slog.Attr) error {
	if rt.OnError == config.Fail {
		rt.Note = "the sign-in fails: its onError is fail"
		if !rt.OwnPolicy {
			rt.Note = "the sign-in fails: the mapping's onClaimError is fail"
		}
		if e.stats != nil {
			e.stats.ClaimErrors++
		}
		return failEvent(publicClaimError, rt.Path, what, err)
	}
	e.warn(rt, msg, err, attrs...)
	return nil
}

func (e *evaluation) claim(r *Result, c *claim) error {
	rt := RuleTrace{Kind: "claim", Path: c.path, OnError: c.onError, OwnPolicy: c.cfg.OnError != ""}
	defer func() { e.rule(rt) }()
	val, err := e.claimValue(c, &rt)
	switch {
	case err != nil:
		rt.Err = err
		return e.failed(&rt, fmt.Sprintf("claim %q", c.cfg.Name), "claim omitted: its expression failed", err)
	case rt.When != nil && !*rt.When:
		rt.Note = "when is false"
		return nil
	case val == nil:
		rt.Note = "the value is empty (null), so the claim is left out"
		if e.trace != nil && c.cfg.Const == nil {
			if why := e.nilReason(c.reads); why != "" {
				rt.Note = why + "; the claim is left out"
			}
		}
		return nil
	}
	rt.Value = val
	v1 := r.Version == "1"
	// What goes in each token is decided (and any warning logged) before
	// the result is written, holding the guard's lock only for the write.
	var idVal any
	toID, toAccess := false, false
	if c.cfg.Tokens.Has(config.IDToken) && !r.NoIDToken {
		idVal, toID = e.idValue(&rt, c.cfg.Name, val, v1)
	}
	if c.cfg.Tokens.Has(config.AccessToken) && !v1 {
		if c.cfg.Name == "aud" && val == any(e.ev.ClientID) {
			e.warn(&rt, "claim omitted from the access token: Cognito does not let a trigger set aud to the app client id", nil)
		} else {
			toAccess = true
		}
	}
	if err := e.chargeCopies(c, val, toID, toAccess); err != nil {
		rt.Err = err
		return e.failed(&rt, fmt.Sprintf("claim %q", c.cfg.Name), "claim omitted: its expression failed", err)
	}
	if !e.lock() {
		return errAbandoned
	}
	if toID {
		r.IDClaims = setClaim(r.IDClaims, c.cfg.Name, idVal, len(e.mp.claims))
	}
	if toAccess {
		r.AccessClaims = setClaim(r.AccessClaims, c.cfg.Name, val, len(e.mp.claims))
	}
	e.unlock()
	rt.Fired = toID || toAccess
	if !rt.Fired && rt.Note == "" {
		rt.Note = "this event has none of the tokens " + c.cfg.Tokens.String()
	}
	return nil
}

func (e *evaluation) suppression(r *Result, s *suppression) {
	rt := RuleTrace{Kind: "suppress", Path: s.path, Value: s.cfg.Claim}
	defer func() { e.rule(rt) }()
	ok, err := e.when(s.when, &rt)
	if err != nil {
		e.warn(&rt, "suppression skipped: its condition failed", err)
		return
	}
	if !ok || !e.lock() {
		return
	}
	defer e.unlock()
	if s.cfg.Tokens.Has(config.IDToken) && !r.NoIDToken {
		r.IDSuppress = append(r.IDSuppress, s.cfg.Claim)
		rt.Fired = true
	}
	if s.cfg.Tokens.Has(config.AccessToken) && r.Version != "1" {
		r.AccessSuppress = append(r.AccessSuppress, s.cfg.Claim)
		rt.Fired = true
	}
}

// setClaim sets a claim, making the map on the first with room for every
// claim of the mapping: growing it claim by claim cost more than the rest
// of the evaluation's allocations together.
func setClaim(m map[string]any, name string, v any, n int) map[string]any {
	if m == nil {
		m = make(map[string]any, n)
	}
	m[name] = v
	return m
}

// warn logs a rule's problem and notes it in the rule's trace. The error's
// text goes to the debug level only: expr's runtime errors can quote the
// values they failed on, and those are user data.
func (e *evaluation) warn(rt *RuleTrace, msg string, err error, attrs ...slog.Attr) {
	rt.Note = msg
	if e.stats != nil {
		e.stats.ClaimErrors++
	}
	ctx := e.ctx
	attrs = append(attrs, slog.String("rule", rt.Path))
	if limit, ok := isLimit(err); ok {
		// Which limit was hit tells the operator what went wrong, and
		// quotes nothing of the user's.
		attrs = append(attrs, slog.String("limit", limit))
	}
	e.mp.log.LogAttrs(ctx, slog.LevelWarn, msg, attrs...)
	if err != nil && e.mp.log.Enabled(ctx, slog.LevelDebug) {
		e.mp.log.LogAttrs(ctx, slog.LevelDebug, msg, append(attrs, slog.String("error", err.Error()))...)
	}
}

// when evaluates a rule's condition, noting its value in the trace.
func (e *evaluation) when(p *vm.Program, rt *RuleTrace) (bool, error) {
	ok, err := e.cond(p)
	switch {
	case err != nil:
		rt.Err = err
	case p != nil:
		rt.When = &ok
		if !ok {
			rt.Note = "when is false"
		}
	}
	return ok, err
}

// chargeCopies takes from the event's bytes the copies of a claim's value
// that its expression's own check did not count: each token carries one,
// and the response carries both tokens, so a V2 event's values counted once
// could make a response past Lambda's 6 MB and fail every sign-in. A
// constant is counted at every copy, at the size measured when it was
// compiled. The claim that does not fit fails alone, as its onError says.
func (e *evaluation) chargeCopies(c *claim, v any, toID, toAccess bool) error {
	if e.mp.unbounded {
		return nil
	}
	n := 0
	for _, to := range []bool{toID, toAccess} {
		if to {
			n++
		}
	}
	if c.cfg.Const == nil {
		n--
	}
	if n <= 0 {
		return nil
	}
	before := e.budget.bytes
	e.budget.begin()
	defer e.budget.end()
	for range n {
		err := c.constErr
		switch {
		case c.cfg.Const == nil:
			err = e.checkSize(v)
		case err == nil && c.constSize > 0:
			err = e.budget.alloc(c.constSize)
		}
		if err != nil {
			e.budget.release(before)
			return err
		}
	}
	return nil
}

func (e *evaluation) claimValue(c *claim, rt *RuleTrace) (any, error) {
	ok, err := e.when(c.when, rt)
	if err != nil || !ok {
		return nil, err
	}
	if c.cfg.Const != nil {
		return c.constant, nil
	}
	v, err := e.run(c.value)
	if err != nil {
		return nil, err
	}
	// claimValue's messages name kinds of values, never the value.
	v, err = dynval.Claim(v)
	return v, safe(err)
}

// idValue adapts a claim value to the ID token: text only under V1, and no
// lists or objects for the claims Cognito keeps simple.
func (e *evaluation) idValue(rt *RuleTrace, name string, v any, v1 bool) (any, bool) {
	if v1 {
		s, err := dynval.Text(v)
		if err != nil {
			e.warn(rt, "claim omitted: its value cannot be written as text", err)
			return nil, false
		}
		return s, true
	}
	if complexForbiddenInID[name] {
		switch v.(type) {
		case []any, map[string]any, []string:
			e.warn(rt, "claim omitted from the ID token: Cognito allows only a simple value here", nil)
			return nil, false
		}
	}
	return v, true
}

func (e *evaluation) groupConfig() (GroupConfig, error) {
	g := GroupConfig{Groups: e.ev.Groups, IAMRoles: e.ev.IAMRoles}
	if s, ok := e.ev.PreferredRole.(string); ok {
		g.PreferredRole = &s
	}
	rules := e.mp.groups
	if rules.override != nil {
		list, ok, err := e.stringList("groups.override", rules.override, groupName.problem, groupName.what)
		if err != nil {
			return g, err
		}
		if ok {
			g.Groups = list
		}
	}
	if rules.iamRoles != nil {
		list, ok, err := e.stringList("groups.iamRoles", rules.iamRoles, roleARN.problem, roleARN.what)
		if err != nil {
			return g, err
		}
		if ok {
			g.IAMRoles = list
		}
	}
	if rules.preferredRole != nil {
		rt := e.groupTrace("groups.preferredRole")
		v, err := e.run(rules.preferredRole)
		switch s, isText := v.(string); {
		case err != nil:
			rt.Err = err
			err = e.failed(&rt, "groups.preferredRole", "preferred role kept: its expression failed", err)
		case v == nil:
			rt.Note = "the value is empty (null), so the request's preferred role is kept"
		case !isText:
			err = e.failed(&rt, "groups.preferredRole", "preferred role kept: the expression must yield text",
				safe(fmt.Errorf("the preferred role must be text, not a %s", dynval.Kind(v))), slog.String("got", dynval.Kind(v)))
		case roleARN.problem(s) != "":
			rt.Err = safe(errors.New(roleARN.problem(s)))
			err = e.failed(&rt, "groups.preferredRole", "preferred role kept: the expression gave a role ARN Cognito does not allow", rt.Err)
		default:
			g.PreferredRole = &s
			rt.Fired, rt.Value = true, s
		}
		e.rule(rt)
		if err != nil {
			return g, err
		}
	}
	return g, nil
}

// groupTrace starts the trace of a groups rule, with the groups' policy.
func (e *evaluation) groupTrace(path string) RuleTrace {
	g := e.mp.cfg.Groups
	return RuleTrace{Kind: "groups", Path: path, OnError: e.mp.groups.onError, OwnPolicy: g != nil && g.OnError != ""}
}

// stringList evaluates an expression that must yield a list of text, each
// item what problem allows (what names one). A nil value keeps the
// request's value (ok false), as does a failure under onError: omit; under
// fail, the failure is the event's (err). Neither the log line nor the
// error quotes an item: they are user data when computed.
func (e *evaluation) stringList(path string, p *vm.Program, problem func(string) string, what string) (list []string, ok bool, failure error) {
	rt := e.groupTrace(path)
	defer func() { e.rule(rt) }()
	v, err := e.run(p)
	if err == nil && v != nil {
		list, err = dynval.Strings(v)
	}
	msg := "the request's value is kept: the expression failed"
	for i, s := range list {
		if err != nil {
			break
		}
		if why := problem(s); why != "" {
			err = safe(fmt.Errorf("item %d of the list: %s", i+1, why))
			msg = "the request's value is kept: the expression gave " + what + " Cognito does not allow"
		}
	}
	switch {
	case err != nil:
		rt.Err = err
		return nil, false, e.failed(&rt, path, msg, err)
	case v == nil:
		rt.Note = "the value is empty (null), so the request's value is kept"
		return nil, false, nil
	}
	rt.Fired, rt.Value = true, list
	return list, true, nil
}

// scopes evaluates one list of scope rules; each yields a scope or a list
// of scopes. A rule that fails is skipped under onError: omit and fails the
// event (failure) under fail. room is how many more changes Cognito accepts
// in this event: a rule whose scopes do not fit fails, as its onError says,
// rather than the whole response.
func (e *evaluation) scopes(st stage, rules []*scopeRule, room int) (out []string, failure error) {
	for i, r := range rules {
		if !e.at(st, i) {
			return nil, errAbandoned
		}
		rt := RuleTrace{Kind: "scope", Path: r.path, OnError: r.onError, OwnPolicy: r.ownPolicy}
		ok, err := e.when(r.when, &rt)
		var v any
		if err == nil && ok {
			v, err = e.run(r.value)
		}
		var list []string
		if err == nil && ok && v != nil {
			list, err = dynval.Strings(v)
		}
		if err == nil && len(out)+len(list) > room {
			list, err = nil, safe(fmt.Errorf("this rule gives %d scopes, more than the %d changes Cognito still accepts in this event (its quota is %d claim and scope changes)", len(list), max(room-len(out), 0), maxChanges))
		}
		if err != nil {
			rt.Err = err
			failure = e.failed(&rt, r.path, "scope rule skipped: its expression failed", err)
		}
		for _, s := range list {
			if failure != nil {
				break
			}
			if s == "" || strings.ContainsAny(s, " \t\n") {
				failure = e.failed(&rt, r.path, "scope skipped: a scope cannot be empty or contain spaces",
					safe(errors.New("a scope cannot be empty or contain spaces")))
				continue
			}
			out = append(out, s)
			rt.Fired = true
		}
		if rt.Fired {
			rt.Value = list
		}
		e.rule(rt)
		if failure != nil {
			return nil, failure
		}
	}
	return out, nil
}
