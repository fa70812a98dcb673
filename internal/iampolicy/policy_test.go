package iampolicy

import "testing"

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
