package iampolicy

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// Policy is an IAM policy document. Field order is the order AWS's own
// examples use.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Policy.
type Statement struct {
	Sid       string                    `json:"Sid"`
	Effect    string                    `json:"Effect"`
	Action    string                    `json:"Action"`
	Resource  string                    `json:"Resource"`
	Condition map[string]map[string]any `json:"Condition,omitempty"`
}

// Options say where the tables are and how narrow the policy is.
type Options struct {
	// Partition, Region and Account go into the tables' ARNs ("*" for any).
	Partition, Region, Account string
	// Attributes limits each statement to the attributes its source reads.
	Attributes bool
}

// For returns the policy mp's sources need. notes says what the policy
// could not narrow: a source that reads whole items allows every attribute.
func For(mp *mapper.Mapper, opts Options) (policy Policy, notes []string) {
	arn := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/", opts.Partition, opts.Region, opts.Account)
	policy = Policy{Version: "2012-10-17", Statement: []Statement{}}
	sids := map[string]bool{}
	for _, a := range mp.Accesses() {
		st := Statement{Sid: statementID(a.Source, sids), Effect: "Allow", Action: "dynamodb:GetItem", Resource: arn + a.Table}
		if a.Query {
			st.Action = "dynamodb:Query"
			if a.Index != "" {
				st.Resource += "/index/" + a.Index
			}
		}
		if opts.Attributes {
			if a.Attributes == nil {
				notes = append(notes, fmt.Sprintf("source %q reads whole items (an expression uses the item itself, not named attributes), so its statement allows every attribute", a.Source))
			} else {
				st.Condition = map[string]map[string]any{
					"ForAllValues:StringEquals": {"dynamodb:Attributes": a.Attributes},
					"StringEqualsIfExists":      {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
				}
			}
		}
		policy.Statement = append(policy.Statement, st)
	}
	return policy, notes
}

// statementID makes a statement id (letters and digits only) from a source
// name, unique within the policy.
func statementID(source string, taken map[string]bool) string {
	var b strings.Builder
	b.WriteString("Read")
	upper := true
	for _, r := range source {
		switch {
		case r == '_':
			upper = true
		case upper:
			b.WriteRune(unicode.ToUpper(r))
			upper = false
		default:
			b.WriteRune(r)
		}
	}
	sid := b.String()
	for i := 2; taken[sid]; i++ {
		sid = fmt.Sprintf("%s%d", b.String(), i)
	}
	taken[sid] = true
	return sid
}
