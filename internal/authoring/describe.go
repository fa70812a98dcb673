package authoring

import (
	"errors"
	"fmt"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// DescribeError says why an event failed, for the mapping's author: for an
// EventError, what Cognito would show the person signing in and the cause;
// any other error (a malformed event) as it is. The cause may quote user
// data: it is for the author's terminal and debug logs, never for logs
// above debug.
func DescribeError(err error) string {
	var ee *mapper.EventError
	if errors.As(err, &ee) && ee.Err != nil {
		return fmt.Sprintf("Cognito would show %q (cause: %s)", ee.Public, mapper.PlainError(ee.Err.Error()))
	}
	return err.Error()
}
