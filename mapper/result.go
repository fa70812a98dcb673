package mapper

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/expr-lang/expr/vm"

	"github.com/claimsmapper/claimsmapper/config"
)

// result evaluates the claims, suppressions, groups and scopes.
func (e *evaluation) result() (*Result, error) {
	r := &Result{Version: e.ev.Version, NoIDToken: e.ev.ClientCredentials()}
	for _, c := range e.mp.claims {
		if err := e.claim(r, c); err != nil {
			return nil, err
		}
	}
	for _, s := range e.mp.suppress {
		e.suppression(r, s)
	}
	r.Groups = e.groupConfig()
	if r.Version != "1" {
		r.ScopesAdd = e.scopes(e.mp.scopeAdd)
		r.ScopesSuppress = e.scopes(e.mp.scopeDel)
	}
	if err := checkChanges(r); err != nil {
		return nil, err
	}
	return r, nil
}

func (e *evaluation) claim(r *Result, c *claim) error {
	rt := RuleTrace{Kind: "claim", Path: c.path}
	defer func() { e.rule(rt) }()
	val, err := e.claimValue(c, &rt)
	switch {
	case err != nil:
		rt.Err = err
		if e.mp.cfg.OnClaimError == config.Fail {
			if e.stats != nil {
				e.stats.ClaimErrors++
			}
			return failEvent(publicClaimError, c.path, fmt.Sprintf("claim %q", c.cfg.Name), err)
		}
		e.warn(&rt, "claim omitted: its expression failed", err)
		return nil
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
	if c.cfg.Tokens.Has(config.IDToken) && !r.NoIDToken {
		if v, ok := e.idValue(&rt, c.cfg.Name, val, v1); ok {
			r.IDClaims = setClaim(r.IDClaims, c.cfg.Name, v, len(e.mp.claims))
			rt.Fired = true
		}
	}
	if c.cfg.Tokens.Has(config.AccessToken) && !v1 {
		if c.cfg.Name == "aud" && val == any(e.ev.ClientID) {
			e.warn(&rt, "claim omitted from the access token: Cognito does not let a trigger set aud to the app client id", nil)
			return nil
		}
		r.AccessClaims = setClaim(r.AccessClaims, c.cfg.Name, val, len(e.mp.claims))
		rt.Fired = true
	}
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
	if !ok {
		return
	}
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
	if limit, ok := IsLimit(err); ok {
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
	v, err = claimValue(v)
	return v, safe(err)
}

// idValue adapts a claim value to the ID token: text only under V1, and no
// lists or objects for the claims Cognito keeps simple.
func (e *evaluation) idValue(rt *RuleTrace, name string, v any, v1 bool) (any, bool) {
	if v1 {
		s, err := Text(v)
		if err != nil {
			e.warn(rt, "claim omitted: its value cannot be written as text", err)
			return nil, false
		}
		return s, true
	}
	if config.ComplexForbiddenInID(name) {
		switch v.(type) {
		case []any, map[string]any, []string:
			e.warn(rt, "claim omitted from the ID token: Cognito allows only a simple value here", nil)
			return nil, false
		}
	}
	return v, true
}

func (e *evaluation) groupConfig() GroupConfig {
	g := GroupConfig{Groups: e.ev.Groups, IAMRoles: e.ev.IAMRoles}
	if s, ok := e.ev.PreferredRole.(string); ok {
		g.PreferredRole = &s
	}
	rules := e.mp.groups
	if rules.override != nil {
		if list, ok := e.stringList("groups.override", rules.override); ok {
			g.Groups = list
		}
	}
	if rules.iamRoles != nil {
		if list, ok := e.stringList("groups.iamRoles", rules.iamRoles); ok {
			g.IAMRoles = list
		}
	}
	if rules.preferredRole != nil {
		rt := RuleTrace{Kind: "groups", Path: "groups.preferredRole"}
		v, err := e.run(rules.preferredRole)
		switch s, isText := v.(string); {
		case err != nil:
			rt.Err = err
			e.warn(&rt, "preferred role kept: its expression failed", err)
		case v == nil:
			rt.Note = "the value is empty (null), so the request's preferred role is kept"
		case !isText:
			e.warn(&rt, "preferred role kept: the expression must yield text", nil, slog.String("got", kind(v)))
		default:
			g.PreferredRole = &s
			rt.Fired, rt.Value = true, s
		}
		e.rule(rt)
	}
	return g
}

// stringList evaluates an expression that must yield a list of text. A nil
// value keeps the request's value (ok false).
func (e *evaluation) stringList(path string, p *vm.Program) (list []string, ok bool) {
	rt := RuleTrace{Kind: "groups", Path: path}
	defer func() { e.rule(rt) }()
	v, err := e.run(p)
	if err == nil && v != nil {
		list, err = toStrings(v)
	}
	switch {
	case err != nil:
		rt.Err = err
		e.warn(&rt, "the request's value is kept: the expression failed", err)
		return nil, false
	case v == nil:
		rt.Note = "the value is empty (null), so the request's value is kept"
		return nil, false
	}
	rt.Fired, rt.Value = true, list
	return list, true
}

// scopes evaluates scope rules; each yields a scope or a list of scopes.
func (e *evaluation) scopes(rules []*scopeRule) []string {
	var out []string
	for _, r := range rules {
		rt := RuleTrace{Kind: "scope", Path: r.path}
		ok, err := e.when(r.when, &rt)
		var v any
		if err == nil && ok {
			v, err = e.run(r.value)
		}
		var list []string
		if err == nil && ok && v != nil {
			list, err = toStrings(v)
		}
		if err != nil {
			rt.Err = err
			e.warn(&rt, "scope rule skipped: its expression failed", err)
		}
		for _, s := range list {
			if s == "" || strings.ContainsAny(s, " \t\n") {
				e.warn(&rt, "scope skipped: a scope cannot be empty or contain spaces", nil)
				continue
			}
			out = append(out, s)
			rt.Fired = true
		}
		if rt.Fired {
			rt.Value = list
		}
		e.rule(rt)
	}
	return out
}
