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

// groupNameProblem says what is wrong with a group name, "" if nothing. It
// never quotes the name: it is user data when computed.
func groupNameProblem(s string) string {
	if s == "" {
		return "a group name cannot be empty"
	}
	if n := utf8.RuneCountInString(s); n > maxGroupName {
		return fmt.Sprintf("a group name may have at most %d characters (Cognito's limit), not %d", maxGroupName, n)
	}
	for _, r := range s {
		if r == utf8.RuneError || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S) {
			return "a group name may hold only letters, digits, punctuation and symbols (Cognito's rule), not spaces, control or invisible characters"
		}
	}
	return ""
}

// roleARNProblem says what is wrong with an IAM role ARN, "" if nothing.
func roleARNProblem(s string) string {
	if s == "" {
		return "an IAM role ARN cannot be empty"
	}
	if n := utf8.RuneCountInString(s); n > maxRoleARN {
		return fmt.Sprintf("an IAM role ARN may have at most %d characters (Cognito's limit), not %d", maxRoleARN, n)
	}
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsGraphic(r) || unicode.IsSpace(r) {
			return "an IAM role ARN cannot contain spaces, control or invisible characters"
		}
	}
	return ""
}

// quotedResult is a quoted text an expression may give as its value: the
// whole expression, an item of a list it is, a branch of ?:, or the
// fallback of ??.
type quotedResult struct {
	text string
	pos  config.Pos
}

// quotedResults finds the quoted texts tree may give (see quotedResult),
// with where each is written.
func quotedResults(e *config.Expr, tree *parser.Tree) []quotedResult {
	var out []quotedResult
	var walk func(n ast.Node)
	walk = func(n ast.Node) {
		switch x := n.(type) {
		case *ast.StringNode:
			fe := (&file.Error{Location: x.Location()}).Bind(tree.Source)
			out = append(out, quotedResult{x.Value, e.PosAt(fe.Line, fe.Column)})
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
			if x.Operator == "??" {
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
	for _, r := range []struct {
		e          *config.Expr
		rule, what string
		problem    func(string) string
		fix        string
	}{
		{g.Override, "group-name", "a group name", groupNameProblem, "write the group's name as Cognito has it"},
		{g.IAMRoles, "role-arn", "an IAM role ARN", roleARNProblem, "write the role's ARN, e.g. arn:aws:iam::123456789012:role/Editors"},
		{g.PreferredRole, "role-arn", "an IAM role ARN", roleARNProblem, "write the role's ARN, e.g. arn:aws:iam::123456789012:role/Editors"},
	} {
		if r.e == nil {
			continue
		}
		for _, q := range c.quoted[r.e] {
			if why := r.problem(q.text); why != "" {
				c.add(config.Finding{Pos: q.pos, Path: r.e.Path, Rule: r.rule,
					Message: fmt.Sprintf("%.40q is not %s Cognito allows: %s, so the rule would fail at every sign-in that gives it; %s", q.text, r.what, why, r.fix)})
			}
		}
	}
}
