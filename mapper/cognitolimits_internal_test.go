package mapper

import (
	"strings"
	"testing"
)

func TestResponsesPastLambdasPayloadLimitFail(t *testing.T) {
	t.Parallel()
	if err := checkResponseSize(maxResponseBytes); err != nil {
		t.Errorf("a response of exactly 6 MB failed: %v", err)
	}
	err := checkResponseSize(maxResponseBytes + 1)
	ee, ok := err.(*EventError)
	if !ok || ee.Public != publicClaimError || !strings.Contains(ee.Reason, "Lambda returns at most 6291456 bytes") {
		t.Fatalf("err = %v, want an EventError naming Lambda's limit", err)
	}
}
