package studio

import (
	"os"
	"testing"
)

// TestMain gives the studio the operator's allow-list the seed mapping
// needs, as a deployment of it would set it: ${TABLE_NAME} reads nothing else.
func TestMain(m *testing.M) {
	os.Setenv("CLAIMS_MAPPING_ENV", "TABLE_NAME")
	os.Exit(m.Run())
}
