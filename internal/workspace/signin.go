package workspace

import (
	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/changes"
)

// SignIn is how an event is rewritten into the sign-in a person asked to
// see: preview's --version, --user and --group, and the studio's choice of
// version, typed user and groups. Both call Rewrite, so the two front ends
// give the same event for the same user, groups and version.
type SignIn struct {
	// Version is the trigger version ("1", "2" or "3") the event is
	// rewritten to; "" keeps the event's own.
	Version string
	// User, when set, makes the event that user's sign-in: their user name,
	// and the other event fields the mapping reads the user by (the sub,
	// an attribute), the event's other user attributes dropped, as they
	// are its own user's (changes.SignInAs).
	User string
	// Groups, when not nil, are the user's groups, sent as Cognito does
	// (request.groupConfiguration.groupsToOverride); an empty list is none.
	// nil keeps the event's.
	Groups []string
}

// SignInError is a rewrite that failed, with the step that failed: the
// front ends name it as the person gave it (--version, --user, --group).
type SignInError struct {
	// Step is "version", "user" or "groups".
	Step string
	Err  error
}

func (e *SignInError) Error() string { return e.Err.Error() }
func (e *SignInError) Unwrap() error { return e.Err }

// Rewrite rewrites the event's JSON as s says, in one order: the version
// first, then the user, then the groups. m, when not nil, is the mapping
// the event is for, which says how a user is found. Without anything to
// change, raw is returned as it is.
func (s SignIn) Rewrite(raw []byte, m *config.Mapping) ([]byte, error) {
	var err error
	if s.Version != "" {
		if raw, err = authoring.WithVersion(raw, s.Version); err != nil {
			return nil, &SignInError{Step: "version", Err: err}
		}
	}
	if s.User != "" {
		var mappings []*config.Mapping
		if m != nil {
			mappings = append(mappings, m)
		}
		if raw, _, err = changes.SignInAs(raw, changes.NameKey(s.User, mappings)); err != nil {
			return nil, &SignInError{Step: "user", Err: err}
		}
	}
	if s.Groups != nil {
		if raw, err = changes.WithGroups(raw, s.Groups); err != nil {
			return nil, &SignInError{Step: "groups", Err: err}
		}
	}
	return raw, nil
}
