package publish

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/smithy-go"
)

// PlainAWS says in words, with the fix, why a call to AWS could not be
// made: no region, no credentials, or credentials that may not do it. The
// SDK's own words ("get identity: get credentials: failed to refresh
// cached credentials, no EC2 IMDS role found ... StatusCode: 403") name
// its machinery, not what to do. dryRun, when set, names the command that
// needs neither region nor credentials ("publish --dry-run"), for the
// message to offer it. Other errors are returned unchanged.
func PlainAWS(err error, dryRun string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	tail := ""
	if dryRun != "" {
		tail = "; " + dryRun + " needs neither"
	}
	var apiErr smithy.APIError
	switch {
	case strings.Contains(msg, "no AWS region is configured"):
		return fmt.Errorf("no AWS region is set: set AWS_REGION to the bucket's region (for example export AWS_REGION=eu-west-1), or AWS_PROFILE to a profile that has one (aws configure)%s", tail)
	case strings.Contains(msg, "get identity: "), strings.Contains(msg, "failed to refresh cached credentials"),
		strings.Contains(msg, "no EC2 IMDS role found"), strings.Contains(msg, "failed to retrieve credentials"):
		return fmt.Errorf("no AWS credentials were found: set AWS_PROFILE to a profile that can reach the bucket (aws configure, or aws sso login --profile NAME), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY%s", tail)
	case errors.As(err, &apiErr) && (apiErr.ErrorCode() == "AccessDenied" || apiErr.ErrorCode() == "Forbidden"):
		return fmt.Errorf("AWS refused access: the credentials in use (AWS_PROFILE, or the access keys set) may not do this to the bucket; ask whoever deploys the function for a role that may (%w)", err)
	case errors.As(err, &apiErr) && (apiErr.ErrorCode() == "InvalidAccessKeyId" || apiErr.ErrorCode() == "SignatureDoesNotMatch" || apiErr.ErrorCode() == "ExpiredToken"):
		return fmt.Errorf("AWS does not accept the credentials in use (%s): renew them (aws sso login, or new access keys)%s", apiErr.ErrorCode(), tail)
	}
	return err
}
