package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/cli"
	"github.com/claimsmapper/claimsmapper/internal/iampolicy"
)

const iamPolicyUsage = `Usage: claimsmapper iam-policy [--env NAME=VALUE]... [--attributes]
                              [--partition P] [--region R] --account ID MAPPING

Prints, as JSON, the IAM policy the function needs to read what MAPPING reads:
for each source one statement, dynamodb:GetItem on its table (key sources) or
dynamodb:Query on its table or index (query sources), and nothing else. Attach
it to the function's role (aws iam put-role-policy, Terraform, or the CDK
construct in deploy/, which derives the same policy).

Options:
  --env NAME=VALUE  the value of a ${NAME} the mapping uses in a table or index
                    name, as set on the function; may be repeated. Names not
                    given are read from the environment
  --attributes      also restrict each statement to the attributes its source
                    reads (dynamodb:Attributes). A mapping changed later (an S3
                    refresh) that reads another attribute is then denied until
                    the policy is updated
  --partition P     the ARN partition (default aws)
  --region R        the tables' region (default $AWS_REGION, else
                    $AWS_DEFAULT_REGION); '*' for every region
  --account ID      the tables' 12-digit account id, required when the mapping
                    has sources; '*' for every account

A region or account that is not known is refused, not widened to '*': the
policy is meant to be pasted as it is.

Exit codes: 0 ok; 1 the mapping is invalid or a ${NAME} is not set; 2 usage
(a region or account not given).
`

func runIAMPolicy(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, env := cli.NewSetWithEnv("iam-policy")
	attributes := fs.Bool("attributes", false, "")
	partition := fs.String("partition", "aws", "")
	region := fs.String("region", cmp.Or(os.Getenv("AWS_REGION"), os.Getenv("AWS_DEFAULT_REGION")), "")
	account := fs.String("account", "", "")
	file, code, ok := cli.ParseOneFile(fs, args, iamPolicyUsage, "claimsmapper iam-policy: name one mapping file (- reads standard input)", stdout, stderr)
	if !ok {
		return code
	}
	mp, err := cli.LoadForDeploy("iam-policy", file, env, stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitFailed
	}
	opts := iampolicy.Options{Partition: *partition, Region: *region, Account: *account, Attributes: *attributes}
	policy, notes := iampolicy.For(mp, opts)
	// Where the tables are matters only when there are tables.
	if err := opts.Check(); err != nil && len(policy.Statement) > 0 {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintf(stderr, "claimsmapper iam-policy: %s\n", line)
		}
		return cli.ExitUsage
	}
	for _, n := range notes {
		fmt.Fprintf(stderr, "claimsmapper iam-policy: %s\n", n)
	}
	if len(policy.Statement) == 0 {
		fmt.Fprintln(stderr, "claimsmapper iam-policy: the mapping has no sources, so the function needs no DynamoDB permission")
	}
	out, _ := json.MarshalIndent(policy, "", "  ")
	stdout.Write(append(out, '\n'))
	return cli.ExitOK
}
