package iampolicy

import (
	"errors"
	"fmt"
	"regexp"
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
	// Partition, Region and Account go into the tables' ARNs. Region and
	// Account may be "*" (any), but only when asked for: Check refuses
	// them empty, so a policy never grants a table of that name in every
	// region and account because nobody said which.
	Partition, Region, Account string
	// Attributes limits each statement to the attributes its source reads.
	Attributes bool
}

var (
	partitionRule = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	// Every partition's region form: eu-west-1, us-gov-west-1,
	// eu-isoe-west-1, and the sovereign cloud's eusc-de-east-1.
	regionRule  = regexp.MustCompile(`^[a-z]{2,4}(-[a-z]+)+-[0-9]+$`)
	accountRule = regexp.MustCompile(`^[0-9]{12}$`)
)

// Check says what is missing or malformed in opts, flag by flag, in the
// CLI's words: each of Partition, Region and Account is one ARN field, so
// nothing else (a ":" or a "/") may reach the ARN through them.
func (o Options) Check() error {
	var errs []error
	if !partitionRule.MatchString(o.Partition) {
		errs = append(errs, fmt.Errorf("--partition %q is not an AWS partition (aws, aws-cn, aws-us-gov)", o.Partition))
	}
	switch {
	case o.Region == "":
		errs = append(errs, errors.New("the tables' region is not known: pass --region (for example --region eu-west-1) or set AWS_REGION; --region '*' allows a table of that name in every region"))
	case o.Region != "*" && !regionRule.MatchString(o.Region):
		errs = append(errs, fmt.Errorf("--region %q is not an AWS region (for example eu-west-1), nor *", o.Region))
	}
	switch {
	case o.Account == "":
		errs = append(errs, errors.New("the tables' account is not known: pass --account with its 12-digit id (aws sts get-caller-identity --query Account --output text prints yours); --account '*' allows a table of that name in every account"))
	case o.Account != "*" && !accountRule.MatchString(o.Account):
		errs = append(errs, fmt.Errorf("--account %q is not a 12-digit AWS account id, nor *", o.Account))
	}
	return errors.Join(errs...)
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
