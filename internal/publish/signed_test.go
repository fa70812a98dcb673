package publish

import (
	"testing"
	"time"
)

func TestPutBackFindsAVersionSignedBeforeAnOlderOne(t *testing.T) {
	t.Parallel()
	at := func(min int) time.Time { return time.Date(2026, 12, 5, 0, min, 0, 0, time.UTC) }
	// Newest first: 0 is A0 put back (signed at 1), 1 is unsigned, 2 is B
	// (signed at 5), 3 is A0 as first published (signed at 1).
	sigs := []Signature{
		{Signed: true, Verified: true, SignedAt: at(1)},
		{},
		{Signed: true, Verified: true, SignedAt: at(5)},
		{Signed: true, Verified: true, SignedAt: at(1)},
	}
	got := putBackVersions(sigs)
	if len(got) != 1 || got[0] != 2 {
		t.Errorf("putBackVersions = %v, want version 0 signed before version 2", got)
	}
	if got := putBackVersions(sigs[2:]); len(got) != 0 {
		t.Errorf("versions signed in order: putBackVersions = %v, want none", got)
	}
}
