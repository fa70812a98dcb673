package main

import (
	"context"
	"fmt"
	"io"

	"github.com/claimsmapper/claimsmapper/internal/cli"
)

const triggerVersionUsage = `Usage: claimsmapper trigger-version [--env NAME=VALUE]... MAPPING

Prints the trigger version MAPPING is written for (its triggerVersion:
V1_0, V2_0 or V3_0), the LambdaVersion to set on the user pool's Pre Token
Generation trigger, or nothing when the mapping does not say. The CDK
construct in deploy/ attaches the trigger with it; other tools can do the
same (aws cognito-idp update-user-pool, Terraform's lambda_version).

V2_0 and V3_0 need the user pool's Essentials or Plus feature plan.

Options:
  --env NAME=VALUE  the value of a ${NAME} the mapping uses, as set on the
                    function; may be repeated. Names not given are read from
                    the environment

Exit codes: 0 ok (printed, or the mapping does not say); 1 the mapping is
invalid; 2 usage.
`

func runTriggerVersion(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, env := cli.NewSetWithEnv("trigger-version")
	file, code, ok := cli.ParseOneFile(fs, args, triggerVersionUsage, "claimsmapper trigger-version: name one mapping file (- reads standard input)", stdout, stderr)
	if !ok {
		return code
	}
	mp, err := cli.LoadForDeploy("trigger-version", file, env, stdin)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return cli.ExitFailed
	}
	v := mp.Mapping().TriggerVersion
	if v == "" {
		fmt.Fprintln(stderr, "claimsmapper trigger-version: the mapping has no triggerVersion; add one (V1_0, V2_0 or V3_0) to say which events it is written for")
		return cli.ExitOK
	}
	fmt.Fprintln(stdout, v)
	return cli.ExitOK
}
