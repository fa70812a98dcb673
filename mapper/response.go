package mapper

import (
	"context"
	"fmt"
)

// The response shapes Cognito expects. Empty lists and objects are written
// as [] and {}, never null: a null groupOverrideDetails would remove the
// user's groups.
type (
	v1Response struct {
		ClaimsOverrideDetails v1Details `json:"claimsOverrideDetails"`
	}
	v1Details struct {
		ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
		ClaimsToSuppress      []string       `json:"claimsToSuppress"`
		GroupOverrideDetails  groupDetails   `json:"groupOverrideDetails"`
	}
	v2Response struct {
		ClaimsAndScopeOverrideDetails v2Details `json:"claimsAndScopeOverrideDetails"`
	}
	v2Details struct {
		IDTokenGeneration     *idTokenGeneration    `json:"idTokenGeneration,omitempty"`
		AccessTokenGeneration accessTokenGeneration `json:"accessTokenGeneration"`
		GroupOverrideDetails  groupDetails          `json:"groupOverrideDetails"`
	}
	idTokenGeneration struct {
		ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
		ClaimsToSuppress      []string       `json:"claimsToSuppress"`
	}
	accessTokenGeneration struct {
		ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
		ClaimsToSuppress      []string       `json:"claimsToSuppress"`
		ScopesToAdd           []string       `json:"scopesToAdd"`
		ScopesToSuppress      []string       `json:"scopesToSuppress"`
	}
	groupDetails struct {
		GroupsToOverride   []string `json:"groupsToOverride"`
		IAMRolesToOverride []string `json:"iamRolesToOverride"`
		PreferredRole      *string  `json:"preferredRole"`
	}
)

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Response returns the "response" object for the result's event version.
func (r *Result) Response() any {
	groups := groupDetails{orEmpty(r.Groups.Groups), orEmpty(r.Groups.IAMRoles), r.Groups.PreferredRole}
	if r.Version == "1" {
		return v1Response{v1Details{orEmptyMap(r.IDClaims), orEmpty(r.IDSuppress), groups}}
	}
	d := v2Details{
		AccessTokenGeneration: accessTokenGeneration{orEmptyMap(r.AccessClaims), orEmpty(r.AccessSuppress),
			orEmpty(r.ScopesAdd), orEmpty(r.ScopesSuppress)},
		GroupOverrideDetails: groups,
	}
	if !r.NoIDToken {
		// A client-credentials event has no ID token to change.
		d.IDTokenGeneration = &idTokenGeneration{orEmptyMap(r.IDClaims), orEmpty(r.IDSuppress)}
	}
	return v2Response{d}
}

// Handle serves one invocation: it decodes the event, evaluates the mapping
// and returns the event with its response set, every other field unchanged.
// The response is written straight into the copy of the event.
func (mp *Mapper) Handle(ctx context.Context, event []byte) ([]byte, error) {
	ev, err := DecodeEvent(event)
	if err != nil {
		return nil, err
	}
	r, err := mp.Evaluate(ctx, ev)
	if err != nil {
		return nil, err
	}
	start, end, prefix, err := responseSpan(event)
	if err != nil {
		return nil, err
	}
	// Room for the response too: a claim takes some tens of bytes in each
	// of the two tokens. A guess that is short only costs one more copy.
	out := make([]byte, 0, len(event)+256+96*len(mp.claims))
	out = append(out, event[:start]...)
	out = append(out, prefix...)
	if out, err = appendResponse(out, r, mp.claimNames); err != nil {
		// Values come from DynamoDB items and expressions; a NaN is the one
		// value JSON cannot hold.
		return nil, &EventError{Public: publicClaimError, Err: fmt.Errorf("encode response: %w", err)}
	}
	return append(out, event[end:]...), nil
}
