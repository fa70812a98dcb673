package mapper

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"

	"github.com/claimsmapper/claimsmapper/config"
)

// The names groups: may put in the tokens. Cognito's API reference
// (GroupType) says what a group is called: 1 to 128 characters, each a
// letter, mark, number, punctuation or symbol, so never a space or a
// control character; and a group's role ARN has at most 2,048 characters.
// A value outside that is no group or role Cognito knows, and goes to
// every app that reads cognito:groups, so the mapper refuses it: a quoted
// one is a lint error (group-name, role-arn), a computed one fails its
// rule as its onError says. An ARN's form beyond that is not checked.
const (
	maxGroupName = 128
	maxRoleARN   = 2048
)

// nameRule is what Cognito allows of one kind of name.
type nameRule struct {
	what    string // "a group name"
	max     int    // characters
	allowed func(r rune) bool
	chars   string // what allowed allows, said after what
}

var (
	groupName = nameRule{"a group name", maxGroupName,
		func(r rune) bool { return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S) },
		"may hold only letters, digits, punctuation and symbols (Cognito's rule), not spaces, control or invisible characters"}
	roleARN = nameRule{"an IAM role ARN", maxRoleARN,
		func(r rune) bool { return unicode.IsGraphic(r) && !unicode.IsSpace(r) },
		"cannot contain spaces, control or invisible characters"}
)

// problem says what is wrong with s, "" if nothing. It never quotes s:
// it is user data when computed.
func (n nameRule) problem(s string) string {
	if s == "" {
		return n.what + " cannot be empty"
	}
	if utf8.RuneCountInString(s) > n.max {
		// Not how long it is: of a computed name, that too is user data.
		return fmt.Sprintf("%s may have at most %d characters (Cognito's limit)", n.what, n.max)
	}
	// A U+FFFD written as such is a symbol, which Cognito allows; only
	// bytes that are not UTF-8 at all are refused.
	if !utf8.ValidString(s) {
		return n.what + " " + n.chars
	}
	for _, r := range s {
		if !n.allowed(r) {
			return n.what + " " + n.chars
		}
	}
	return ""
}

// quotedResult is a quoted text an expression may give as its value: the
// whole expression, an item of a list it is, a branch of ?:, or either
// side of ??.
type quotedResult struct {
	text string
	// pos says where it is written. It reads the expression from its
	// start, so it is asked only of the texts refused, not of each of the
	// thousands a list may hold.
	pos func() config.Pos
}

// quotedResults finds the quoted texts tree may give (see quotedResult),
// with where each is written.
func quotedResults(e *config.Expr, tree *parser.Tree) []quotedResult {
	var out []quotedResult
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		switch x := n.(type) {
		case *ast.StringNode:
			out = append(out, quotedResult{x.Value, func() config.Pos {
				fe := (&file.Error{Location: x.Location()}).Bind(tree.Source)
				return e.PosAt(fe.Line, fe.Column)
			}})
		case *ast.ArrayNode:
			for _, item := range x.Nodes {
				if _, ok := item.(*ast.StringNode); ok {
					walk(item)
				}
			}
		case *ast.ConditionalNode:
			walk(x.Exp1)
			walk(x.Exp2)
		case *ast.BinaryNode:
			// A quoted text before ?? is never null, so it is the value.
			if x.Operator == "??" {
				walk(x.Left)
				walk(x.Right)
			}
		}
	}
	walk(tree.Node)
	return out
}

// checkGroupLiterals refuses the quoted group names and role ARNs of
// groups: that Cognito does not allow: the rule would fail at every
// sign-in that gives one.
func (c *compiler) checkGroupLiterals(g *config.Groups) {
	const fixRole = "write the role's ARN, e.g. arn:aws:iam::123456789012:role/Editors"
	for _, r := range []struct {
		e         *config.Expr
		rule, fix string
		name      nameRule
	}{
		{g.Override, "group-name", "write the group's name as Cognito has it", groupName},
		{g.IAMRoles, "role-arn", fixRole, roleARN},
		{g.PreferredRole, "role-arn", fixRole, roleARN},
	} {
		if r.e == nil {
			continue
		}
		for _, q := range c.quoted[r.e] {
			if why := r.name.problem(q.text); why != "" {
				c.add(config.Finding{Pos: q.pos(), Path: r.e.Path, Rule: r.rule,
					Message: fmt.Sprintf("%.40q is not %s Cognito allows: %s, so the rule would fail at every sign-in that gives it; %s", q.text, r.name.what, why, r.fix)})
			}
		}
	}
}
