package main

import (
	"os"
	"strings"
	"testing"
)

// where names the tables' region and account.
var where = []string{"--region", "eu-west-1", "--account", "111111111111"}

func TestIAMPolicyGolden(t *testing.T) {
	// The region is the flag's, or else the environment's: none here.
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	tests := []struct {
		name   string
		args   []string
		golden string
		stderr string
	}{
		{"the seed mapping gets GetItem on its one table", append([]string{"iam-policy", "--env", "TABLE_NAME=SampleUsers", seedMapping}, where...), "iam-policy-seed.json", ""},
		{"the full mapping gets GetItem and Query, one statement per source; every region and account only when asked for", []string{"iam-policy", "--region", "*", "--account", "*", "../../testdata/full/mapping.yaml"}, "iam-policy-full.json", ""},
		{"--attributes restricts each source to the attributes it reads", []string{"iam-policy", "--attributes", "--region", "eu-west-1", "--account", "111111111111", "../../testdata/full/mapping.yaml"}, "iam-policy-full-attributes.json", ""},
		{"the example deployment's mapping", []string{"iam-policy", "--env", "TABLE_NAME=Users", "--partition", "aws-cn", "--region", "cn-north-1", "--account", "111111111111", "../../deploy/mapping.yaml"}, "iam-policy-deploy.json", ""},
		{"a query on an index names the index, and a whole-item source gets no attribute condition", append([]string{"iam-policy", "--attributes", tools + "iam-index.yaml"}, where...), "iam-policy-index.json", `source "profile" reads whole items`},
		{"a mapping without sources needs no statement", []string{"iam-policy", "-"}, "iam-policy-none.json", "needs no DynamoDB permission"},
		{"help", []string{"iam-policy", "-h"}, "help-iam-policy.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := execCLI(t, "version: 1\nclaims:\n  plan: '\"free\"'\n", tt.args...)
			if code != 0 {
				t.Fatalf("exit %d; stderr:\n%s", code, errOut)
			}
			if (tt.stderr == "" && errOut != "") || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q, want it to hold %q", errOut, tt.stderr)
			}
			goldenText(t, tt.golden, out)
		})
	}
}

func TestIAMPolicyTakesTheRegionFromTheEnvironment(t *testing.T) {
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
	code, out, errOut := execCLI(t, "", "iam-policy", "--env", "TABLE_NAME=SampleUsers", "--account", "111111111111", seedMapping)
	if code != 0 || !strings.Contains(out, `"arn:aws:dynamodb:ap-southeast-2:111111111111:table/SampleUsers"`) {
		t.Errorf("exit %d, stdout:\n%s\nstderr:\n%s\nwant the table in AWS_DEFAULT_REGION", code, out, errOut)
	}
	t.Setenv("AWS_REGION", "eu-west-1")
	if _, out, _ := execCLI(t, "", "iam-policy", "--env", "TABLE_NAME=SampleUsers", "--account", "111111111111", seedMapping); !strings.Contains(out, ":eu-west-1:") {
		t.Errorf("AWS_REGION does not come first:\n%s", out)
	}
	if _, out, _ := execCLI(t, "", "iam-policy", "--env", "TABLE_NAME=SampleUsers", "--region", "us-east-2", "--account", "111111111111", seedMapping); !strings.Contains(out, ":us-east-2:") {
		t.Errorf("--region does not come first:\n%s", out)
	}
}

func TestIAMPolicyErrors(t *testing.T) {
	os.Unsetenv("UNSET_TABLE_FOR_TESTS")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	tests := []struct {
		name   string
		stdin  string
		args   []string
		code   int
		stderr string
	}{
		{"a table name from an unset variable says to pass --env", "version: 1\nsources:\n  u: {table: '${UNSET_TABLE_FOR_TESTS}', key: {id: event.userName}}\nclaims:\n  a: u.a\n",
			[]string{"iam-policy", "-"}, 1, "pass --env NAME=VALUE"},
		{"an invalid mapping is not turned into a policy", "version: 1\nclaims:\n  a: usr.x\n", []string{"iam-policy", "-"}, 1, `unknown name "usr"`},
		{"one mapping file is required", "", []string{"iam-policy"}, 2, "name one mapping file"},
		{"--env wants NAME=VALUE", "", []string{"iam-policy", "--env", "TABLE_NAME", seedMapping}, 2, `"TABLE_NAME" should be NAME=VALUE`},
		{"a missing file", "", []string{"iam-policy", tools + "missing.yaml"}, 1, "cannot read the mapping"},
		{"an unknown account is refused, not made *", "", []string{"iam-policy", "--env", "TABLE_NAME=Users", "--region", "eu-west-1", seedMapping}, 2,
			"claimsmapper iam-policy: the tables' account is not known: pass --account with its 12-digit id"},
		{"an unknown region is refused, not made *", "", []string{"iam-policy", "--env", "TABLE_NAME=Users", "--account", "111111111111", seedMapping}, 2,
			"claimsmapper iam-policy: the tables' region is not known: pass --region (for example --region eu-west-1) or set AWS_REGION"},
		{"an account that is an ARN fragment is refused", "", []string{"iam-policy", "--env", "TABLE_NAME=Users", "--region", "eu-west-1", "--account", "*:table/*", seedMapping}, 2,
			`--account "*:table/*" is not a 12-digit AWS account id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := execCLI(t, tt.stdin, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) || out != "" {
				t.Errorf("exit %d (want %d), stdout %q, stderr:\n%s\nwant it to hold %q", code, tt.code, out, errOut, tt.stderr)
			}
		})
	}
}
