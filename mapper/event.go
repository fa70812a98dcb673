package mapper

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Event is a Pre Token Generation event as expressions see it, as the
// variable event. Attribute and metadata maps hold text values; a missing key
// reads as nil, so `event.userAttributes.nickname ?? "none"` works.
type Event struct {
	Version        string         `expr:"version"`
	TriggerSource  string         `expr:"triggerSource"`
	Region         string         `expr:"region"`
	UserPoolID     string         `expr:"userPoolId"`
	UserName       string         `expr:"userName"`
	ClientID       string         `expr:"clientId"`
	UserAttributes map[string]any `expr:"userAttributes"`
	Groups         []string       `expr:"groups"`
	IAMRoles       []string       `expr:"iamRoles"`
	// PreferredRole is a string, or nil when the request has none.
	PreferredRole  any            `expr:"preferredRole"`
	Scopes         []string       `expr:"scopes"`
	ClientMetadata map[string]any `expr:"clientMetadata"`
	// sentVersion is the version the event said, when it differs from
	// Version: "0" from cognito-local, read as version "1".
	sentVersion string
}

// ClientCredentials reports whether the event is for a machine-to-machine
// token: such an event has no user and no ID token.
func (e *Event) ClientCredentials() bool {
	return e.TriggerSource == "TokenGeneration_ClientCredentials"
}

// wireEvent is the part of the event JSON the mapper reads.
type wireEvent struct {
	Version       *string `json:"version"`
	TriggerSource string  `json:"triggerSource"`
	Region        string  `json:"region"`
	UserPoolID    string  `json:"userPoolId"`
	UserName      string  `json:"userName"`
	CallerContext struct {
		ClientID string `json:"clientId"`
	} `json:"callerContext"`
	Request struct {
		UserAttributes     map[string]any `json:"userAttributes"`
		GroupConfiguration struct {
			GroupsToOverride   []string `json:"groupsToOverride"`
			IAMRolesToOverride []string `json:"iamRolesToOverride"`
			PreferredRole      *string  `json:"preferredRole"`
		} `json:"groupConfiguration"`
		Scopes         []string       `json:"scopes"`
		ClientMetadata map[string]any `json:"clientMetadata"`
	} `json:"request"`
}

// cognitoLocalVersion is the version cognito-local (5.x) puts on every
// trigger event; its Pre Token Generation event is Cognito's version 1.
const cognitoLocalVersion = "0"

// DecodeEvent reads a Pre Token Generation event. Its errors say what is
// wrong in the terms of the event's JSON, never in Go types. An event whose
// version is "0", as cognito-local sends it, is read as version "1":
// expressions see event.version "1" and the response is a V1 response.
func DecodeEvent(raw []byte) (*Event, error) {
	var w wireEvent
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, eventJSONError(err)
	}
	if w.Version == nil {
		return nil, errors.New("the event has no \"version\" field: is it a Cognito pre token generation event?")
	}
	version, sent := *w.Version, ""
	switch version {
	case "1", "2", "3":
	case cognitoLocalVersion:
		// cognito-local, the emulator teams test triggers with, sends "0"
		// with a V1 event and applies only a V1 response. Cognito itself
		// sends "1": reading "0" as "1" lets the same function serve both.
		version, sent = "1", cognitoLocalVersion
	default:
		return nil, fmt.Errorf("event version %q is not supported: claimsmapper handles versions \"1\", \"2\" and \"3\" (and \"0\", which cognito-local sends for version 1)", *w.Version)
	}
	ev := &Event{
		Version:        version,
		sentVersion:    sent,
		TriggerSource:  w.TriggerSource,
		Region:         w.Region,
		UserPoolID:     w.UserPoolID,
		UserName:       w.UserName,
		ClientID:       w.CallerContext.ClientID,
		UserAttributes: w.Request.UserAttributes,
		Groups:         w.Request.GroupConfiguration.GroupsToOverride,
		IAMRoles:       w.Request.GroupConfiguration.IAMRolesToOverride,
		Scopes:         w.Request.Scopes,
		ClientMetadata: w.Request.ClientMetadata,
	}
	if w.Request.GroupConfiguration.PreferredRole != nil {
		ev.PreferredRole = *w.Request.GroupConfiguration.PreferredRole
	}
	return ev, nil
}

func eventJSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("the event is not valid JSON (at byte %d): %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		want := "a value of another kind"
		switch typ.Type.Kind().String() {
		case "string", "ptr":
			want = "text"
		case "slice":
			want = "a list of text"
		case "map", "struct":
			want = "an object"
		}
		got := map[string]string{"array": "a list", "object": "an object", "string": "text", "number": "a number", "bool": "true or false"}[typ.Value]
		if got == "" {
			got = "a " + typ.Value
		}
		if typ.Field == "" {
			return fmt.Errorf("the event should be a JSON object, not %s", got)
		}
		return fmt.Errorf("the event's %q is %s where Cognito sends %s", typ.Field, got, want)
	}
	return fmt.Errorf("the event is not valid JSON: %s", err.Error())
}
