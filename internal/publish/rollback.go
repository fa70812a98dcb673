package publish

import (
	"context"
	"fmt"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
)

// maxRollbackVersions is how far back in the history a rollback looks.
const maxRollbackVersions = 1000

// InForceError is a rollback to the version already in force: nothing to do.
type InForceError struct{ VersionID string }

func (e *InForceError) Error() string {
	return fmt.Sprintf("version %q is already in force", e.VersionID)
}

// Rollback is an earlier version about to be put back in force.
type Rollback struct {
	// Version is the entry of the history gone back to, Object its text
	// and metadata, read at Location (the object at that version).
	Version  Version
	Object   Object
	Location Location
}

// FindRollback reads the version of loc a rollback goes back to: the one
// named to, or without it the one before the version in force. A version
// that does not exist or is a deletion is an error, and one already in
// force an *InForceError.
func FindRollback(ctx context.Context, api API, loc Location, to string) (*Rollback, error) {
	// The list says which version to go back to; only that one is read
	// (history would read and parse each of a thousand versions first).
	vs, err := listVersions(ctx, api, loc, maxRollbackVersions)
	if err != nil {
		return nil, PlainAWS(err, "")
	}
	v, err := rollbackVersion(vs, loc, to)
	if err != nil {
		return nil, err
	}
	vloc := at(loc, v.VersionID)
	obj, err := Get(ctx, api, vloc)
	if err != nil {
		return nil, PlainAWS(err, "")
	}
	v.read(obj, loc)
	return &Rollback{Version: v, Object: obj, Location: vloc}, nil
}

// rollbackVersion picks, from the history (newest first), the version a
// rollback goes back to.
func rollbackVersion(vs []Version, loc Location, to string) (Version, error) {
	if to == "" {
		v, ok := beforeInForce(vs)
		if !ok {
			return v, fmt.Errorf("%s has no earlier version to go back to", loc)
		}
		return v, nil
	}
	for _, v := range vs {
		if v.VersionID != to {
			continue
		}
		switch {
		case v.Deleted:
			return v, fmt.Errorf("version %q of %s is a deletion, not a mapping; pick another with claimsmapper history", to, loc)
		case v.Latest:
			return v, &InForceError{VersionID: to}
		}
		return v, nil
	}
	return Version{}, fmt.Errorf("%s has no version %q; claimsmapper history %s lists them", loc, to, loc)
}

// TextDiffers reports whether the version's text is not the one whose
// sha256 was recorded when it was published: it was written by other means.
func (r *Rollback) TextDiffers() bool {
	return r.Version.Meta.SHA256 != "" && r.Version.Meta.SHA256 != mappingfile.SHA256(r.Object.Text)
}

// Message is what the rollback records on the new version: which version
// it goes back to, and why when the person said.
func (r *Rollback) Message(why string) string {
	m := "rollback to version " + r.Version.VersionID
	if why != "" {
		m += ": " + why
	}
	return m
}
