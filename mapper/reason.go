package mapper

import (
	"errors"
	"fmt"
)

// An error's text may quote user data: expr's runtime errors name the
// values they failed on (an email address, an SSN). Logs above debug level
// carry only what cannot: the rule or source that failed and a reason from
// this file. The full text goes to the debug level, `claimsmapper explain`
// and `test`.

// safeError marks an error whose text claimsmapper wrote and that names
// kinds of values, limits and settings, never a value: safe to log at any
// level.
type safeError struct{ err error }

func (e safeError) Error() string { return e.err.Error() }
func (e safeError) Unwrap() error { return e.err }

// safe marks err as quoting no user data; nil stays nil.
func safe(err error) error {
	if err == nil {
		return nil
	}
	return safeError{err}
}

// exprFailure is what reason says of an expression's own error.
const exprFailure = "the expression failed at run time (its message may quote user data, so it is logged at debug level only; claimsmapper explain shows it)"

// reason says why err failed a claim or a source, in words that quote no
// user data: the limit that was hit, claimsmapper's own message about a
// value's kind, a store's error, or only that an expression failed.
func reason(err error) string {
	if err == nil {
		return ""
	}
	var le *LimitError
	if errors.As(err, &le) {
		return le.Error()
	}
	var se safeError
	if errors.As(err, &se) {
		return se.Error()
	}
	return exprFailure
}

// failEvent fails an event for rule (claims.NAME or sources.NAME, called
// what in the cause) with public shown to the person signing in. The
// reason is computed now, while it is known which parts of err are safe.
func failEvent(public, rule, what string, err error) *EventError {
	return &EventError{Public: public, Rule: rule, Reason: reason(err), Err: fmt.Errorf("%s: %w", what, err)}
}

// safeErr is the source's error marked safe when it is the store's
// (throttling, access denied, a missing table: it names tables and keys'
// attribute names, not their values); an expression's error is not.
func (st *SourceTrace) safeErr() error {
	if st.exprFailed {
		return st.Err
	}
	return safe(st.Err)
}
