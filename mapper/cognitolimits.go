package mapper

import "fmt"

// Limits of Cognito and Lambda that a response must stay within. Past them
// Cognito refuses the answer and the sign-in fails with a message nobody
// can act on, so the mapper fails the event itself, with a log line that
// says which limit and by how much.
const (
	// maxChanges is Cognito's quota on the claim and scope changes one pre
	// token generation event may make, all kinds together (claims added,
	// overridden and suppressed in each token, scopes added and
	// suppressed): "Quotas in Amazon Cognito", resource quotas.
	maxChanges = 5000
	// maxResponseBytes is Lambda's limit on the response payload of a
	// synchronous invocation, which is how Cognito calls the trigger: 6 MB
	// ("Lambda quotas", function configuration, deployment and execution).
	maxResponseBytes = 6 * 1024 * 1024
)

// changes counts the claim and scope changes r makes, as Cognito counts
// them against maxChanges.
func (r *Result) changes() int {
	return len(r.IDClaims) + len(r.AccessClaims) + len(r.IDSuppress) + len(r.AccessSuppress) +
		len(r.ScopesAdd) + len(r.ScopesSuppress)
}

// checkChanges fails an event whose result makes more changes than Cognito
// accepts. It is no one claim's fault, so it fails the event whatever
// onClaimError says. Every path (Lambda, run, explain, test) checks it.
func checkChanges(r *Result) error {
	n := r.changes()
	if n <= maxChanges {
		return nil
	}
	reason := fmt.Sprintf("the response makes %d claim and scope changes; Cognito accepts at most %d in one event (its quota on pre token generation changes): add or suppress fewer claims", n, maxChanges)
	return &EventError{Public: publicClaimError, Rule: "response", Reason: reason, Err: fmt.Errorf("%s", reason)}
}

// checkResponseSize fails a response Lambda would not return.
func checkResponseSize(n int) error {
	if n <= maxResponseBytes {
		return nil
	}
	reason := fmt.Sprintf("the response is %d bytes; Lambda returns at most %d bytes (6 MB) from a synchronous invocation: make the claims smaller", n, maxResponseBytes)
	return &EventError{Public: publicClaimError, Rule: "response", Reason: reason, Err: fmt.Errorf("%s", reason)}
}

// complexForbiddenInID are the claims that may hold only a simple value
// (text, number or boolean) in the ID token: Cognito refuses a list or a
// map there.
var complexForbiddenInID = map[string]bool{"phone_number_verified": true, "email_verified": true, "updated_at": true, "address": true}
