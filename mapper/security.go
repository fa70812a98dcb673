package mapper

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
)

// permissionName matches claim names that usually grant something.
var permissionName = regexp.MustCompile(`(?i)(role|group|admin|permission|entitle|scope|privilege|access|tier|plan)`)

// checkSelfGranted warns when a permission-like claim, the groups or roles,
// or a scope comes from a custom attribute: unless the app client's write
// attributes exclude it, users can set custom attributes on themselves.
func (c *compiler) checkSelfGranted(m *config.Mapping) {
	warn := func(e *config.Expr, what string) {
		if e == nil || !strings.Contains(e.Code, "custom:") || !strings.Contains(e.Code, "userAttributes") {
			return
		}
		c.add(config.Finding{Pos: e.Pos, Path: e.Path, Severity: config.SevWarning, Rule: "self-granted",
			Message: fmt.Sprintf("%s comes from a custom attribute, which users may be able to change on themselves; make sure your app client does not let users change that attribute (in the app client's attribute write permissions), or keep the value in DynamoDB instead", what)})
	}
	for _, cl := range m.Claims {
		if permissionName.MatchString(cl.Name) {
			warn(cl.Value, fmt.Sprintf("claim %q looks like a permission and", cl.Name))
			warn(cl.When, fmt.Sprintf("whether claim %q (which looks like a permission) is set", cl.Name))
		}
	}
	if g := m.Groups; g != nil {
		warn(g.Override, "the groups claim")
		warn(g.IAMRoles, "the IAM roles claim")
		warn(g.PreferredRole, "the preferred role claim")
	}
	if s := m.Scopes; s != nil {
		for _, r := range s.Add {
			warn(r.Value, "an added scope")
			warn(r.When, "whether a scope is added")
		}
	}
}

// stringLiteral matches an expression that is only a quoted text.
var stringLiteral = regexp.MustCompile(`^\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*$`)

// checkScopeLiterals rejects scopes written as text that contains spaces:
// the access token's scope claim is space-separated, so such a scope would
// read as several. Computed scopes are checked when the event runs.
func (c *compiler) checkScopeLiterals(m *config.Mapping) {
	if m.Scopes == nil {
		return
	}
	for _, r := range append(append([]*config.ScopeRule{}, m.Scopes.Add...), m.Scopes.Suppress...) {
		if r.Value == nil {
			continue
		}
		sm := stringLiteral.FindStringSubmatch(r.Value.Code)
		if sm == nil {
			continue
		}
		scope := sm[1] + sm[2]
		if scope == "" || strings.ContainsAny(scope, " \t\n") {
			c.add(config.Finding{Pos: r.Value.Pos, Path: r.Value.Path, Rule: "scope-text",
				Message: fmt.Sprintf("scope %q is empty or contains spaces; the scope claim separates scopes with spaces, so write each scope as its own item", scope)})
		}
	}
}
