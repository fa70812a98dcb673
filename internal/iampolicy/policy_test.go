package iampolicy

import (
	"strings"
	"testing"
)

func TestStatementIDs(t *testing.T) {
	t.Parallel()
	taken := map[string]bool{}
	for _, tt := range []struct{ source, want string }{
		{"user", "ReadUser"},
		{"org_members", "ReadOrgMembers"},
		{"user_", "ReadUser2"}, // the same id as user's: numbered
		{"userRoles", "ReadUserRoles"},
	} {
		if got := statementID(tt.source, taken); got != tt.want {
			t.Errorf("source %q: id %q, want %q", tt.source, got, tt.want)
		}
	}
}

func TestOptionsCheckRefusesWhatItDoesNotKnow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts Options
		want string // "" accepts
	}{
		{"a region and an account", Options{Partition: "aws", Region: "eu-west-1", Account: "111111111111"}, ""},
		{"GovCloud and China", Options{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "111111111111"}, ""},
		{"the European Sovereign Cloud", Options{Partition: "aws-eusc", Region: "eusc-de-east-1", Account: "111111111111"}, ""},
		{"every region and account, asked for", Options{Partition: "aws-cn", Region: "*", Account: "*"}, ""},
		{"no region", Options{Partition: "aws", Account: "111111111111"}, "the tables' region is not known: pass --region"},
		{"no account", Options{Partition: "aws", Region: "eu-west-1"}, "the tables' account is not known: pass --account"},
		{"an account that is an ARN fragment", Options{Partition: "aws", Region: "eu-west-1", Account: "*:table/*"}, `--account "*:table/*" is not a 12-digit AWS account id`},
		{"a region with a colon", Options{Partition: "aws", Region: "eu-west-1:111111111111", Account: "111111111111"}, "is not an AWS region"},
		{"a region pattern", Options{Partition: "aws", Region: "eu-*", Account: "111111111111"}, "is not an AWS region"},
		{"a partition with a colon", Options{Partition: "aws:dynamodb", Region: "eu-west-1", Account: "111111111111"}, "is not an AWS partition"},
	} {
		err := tt.opts.Check()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: refused: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
		}
	}
}
