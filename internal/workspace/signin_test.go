package workspace

import (
	"errors"
	"testing"
)

// A rewrite that fails says which step failed, for the front ends to name
// it as the person gave it.
func TestASignInThatFailsSaysWhichStep(t *testing.T) {
	t.Parallel()
	event := []byte(`{"version": "2", "triggerSource": "TokenGeneration_HostedAuth", "userName": "tom", "request": {"userAttributes": {}}}`)
	tests := []struct {
		name string
		s    SignIn
		raw  []byte
		step string
	}{
		{"a version that is not one", SignIn{Version: "9", User: "ben"}, event, "version"},
		{"a user put into an event that is not an object", SignIn{User: "ben"}, []byte(`[]`), "user"},
		{"groups put into an event that is not an object", SignIn{Groups: []string{"g"}}, []byte(`[]`), "groups"},
	}
	for _, tt := range tests {
		_, err := tt.s.Rewrite(tt.raw, nil)
		var se *SignInError
		if !errors.As(err, &se) || se.Step != tt.step || se.Error() != se.Err.Error() {
			t.Errorf("%s: %v, want a failed %s step", tt.name, err, tt.step)
		}
	}
	raw, err := SignIn{}.Rewrite(event, nil)
	if err != nil || string(raw) != string(event) {
		t.Errorf("nothing to change should leave the event as it is: %s, %v", raw, err)
	}
}
