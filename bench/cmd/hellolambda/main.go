// Command hellolambda is the floor for any Go Lambda function: aws-lambda-go
// returning the event it is given, nothing else. The cold start benchmark
// (integration/coldstart_test.go) builds it exactly as `make package`
// builds claimsmapper's bootstrap and runs both under the emulator, so the
// difference is what claimsmapper itself costs. It is not part of the
// product; it lives in the bench module with the other comparisons.
package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(_ context.Context, event json.RawMessage) (json.RawMessage, error) { return event, nil })
}
