package mapper

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/expr-lang/expr/vm"
)

// result evaluates the claims, suppressions, groups and scopes.
func (e *evaluation) result() (*Result, error) {
	r := &Result{Version: e.ev.Version, NoIDToken: e.ev.ClientCredentials()}
	v1 := e.ev.Version == "1"
	for _, c := range e.mp.claims {
		val, err := e.claimValue(c)
		if err != nil {
			if e.mp.cfg.OnClaimError == config.Fail {
				return nil, &EventError{Public: publicClaimError, Err: fmt.Errorf("claim %q: %w", c.cfg.Name, err)}
			}
			e.warn("claim omitted: its expression failed", slog.String("claim", c.cfg.Name), slog.String("error", err.Error()))
			continue
		}
		if val == nil {
			continue
		}
		if c.cfg.Tokens.Has(config.IDToken) && !r.NoIDToken {
			if v, ok := e.idValue(c.cfg.Name, val, v1); ok {
				r.IDClaims = setClaim(r.IDClaims, c.cfg.Name, v)
			}
		}
		if c.cfg.Tokens.Has(config.AccessToken) && !v1 {
			if c.cfg.Name == "aud" && val == any(e.ev.ClientID) {
				e.warn("claim omitted: Cognito does not let a trigger set aud to the app client id", slog.String("claim", "aud"))
				continue
			}
			r.AccessClaims = setClaim(r.AccessClaims, c.cfg.Name, val)
		}
	}
	for _, s := range e.mp.suppress {
		ok, err := e.cond(s.when)
		if err != nil {
			e.warn("suppression skipped: its condition failed", slog.String("claim", s.cfg.Claim), slog.String("error", err.Error()))
			continue
		}
		if !ok {
			continue
		}
		if s.cfg.Tokens.Has(config.IDToken) && !r.NoIDToken {
			r.IDSuppress = append(r.IDSuppress, s.cfg.Claim)
		}
		if s.cfg.Tokens.Has(config.AccessToken) && !v1 {
			r.AccessSuppress = append(r.AccessSuppress, s.cfg.Claim)
		}
	}
	r.Groups = e.groupConfig()
	if !v1 {
		r.ScopesAdd = e.scopes(e.mp.scopeAdd)
		r.ScopesSuppress = e.scopes(e.mp.scopeDel)
	}
	return r, nil
}

func setClaim(m map[string]any, name string, v any) map[string]any {
	if m == nil {
		m = make(map[string]any)
	}
	m[name] = v
	return m
}

func (e *evaluation) warn(msg string, attrs ...slog.Attr) {
	e.mp.log.LogAttrs(context.Background(), slog.LevelWarn, msg, attrs...)
}

func (e *evaluation) claimValue(c *claim) (any, error) {
	ok, err := e.cond(c.when)
	if err != nil || !ok {
		return nil, err
	}
	if c.cfg.HasConst {
		return c.cfg.Const, nil
	}
	if c.value == nil {
		return nil, nil
	}
	v, err := e.run(c.value)
	if err != nil {
		return nil, err
	}
	return v, checkValue(v)
}

// idValue adapts a claim value to the ID token: text only under V1, and no
// lists or objects for the claims Cognito keeps simple.
func (e *evaluation) idValue(name string, v any, v1 bool) (any, bool) {
	if v1 {
		s, err := Text(v)
		if err != nil {
			e.warn("claim omitted: its value cannot be written as text", slog.String("claim", name), slog.String("error", err.Error()))
			return nil, false
		}
		return s, true
	}
	if config.ComplexForbiddenInID(name) {
		switch v.(type) {
		case []any, map[string]any, []string:
			e.warn("claim omitted from the ID token: Cognito allows only a simple value here", slog.String("claim", name))
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
		v, err := e.run(rules.preferredRole)
		switch s, isText := v.(string); {
		case err != nil:
			e.warn("preferred role kept: its expression failed", slog.String("error", err.Error()))
		case v == nil:
		case !isText:
			e.warn("preferred role kept: the expression must yield text", slog.String("got", kind(v)))
		default:
			g.PreferredRole = &s
		}
	}
	return g
}

// stringList evaluates an expression that must yield a list of text. nil
// keeps the request's value (ok false).
func (e *evaluation) stringList(path string, p *vm.Program) ([]string, bool) {
	v, err := e.run(p)
	if err != nil {
		e.warn("request value kept: the expression failed", slog.String("rule", path), slog.String("error", err.Error()))
		return nil, false
	}
	if v == nil {
		return nil, false
	}
	list, err := toStrings(v)
	if err != nil {
		e.warn("request value kept", slog.String("rule", path), slog.String("error", err.Error()))
		return nil, false
	}
	return list, true
}

// scopes evaluates scope rules; each yields a scope or a list of scopes.
func (e *evaluation) scopes(rules []*scopeRule) []string {
	var out []string
	for _, r := range rules {
		ok, err := e.cond(r.when)
		if err != nil {
			e.warn("scope rule skipped: its condition failed", slog.String("rule", r.path), slog.String("error", err.Error()))
			continue
		}
		if !ok {
			continue
		}
		v, err := e.run(r.value)
		if err != nil {
			e.warn("scope rule skipped: its expression failed", slog.String("rule", r.path), slog.String("error", err.Error()))
			continue
		}
		list, err := toStrings(v)
		if err != nil {
			e.warn("scope rule skipped", slog.String("rule", r.path), slog.String("error", err.Error()))
			continue
		}
		for _, s := range list {
			if s == "" || strings.ContainsAny(s, " \t\n") {
				e.warn("scope skipped: a scope cannot be empty or contain spaces", slog.String("rule", r.path))
				continue
			}
			out = append(out, s)
		}
	}
	return out
}
