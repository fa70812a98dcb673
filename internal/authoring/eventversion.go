package authoring

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// triggerVersions maps an event's version to the user pool setting that
// makes Cognito send it.
var triggerVersions = map[string]string{"1": "V1_0", "2": "V2_0", "3": "V3_0"}

// TriggerSettings lists the user pool trigger version settings there are
// events for (V1_0, V2_0, V3_0), sorted.
func TriggerSettings() []string { return slices.Sorted(maps.Values(triggerVersions)) }

// TriggerVersionOK reports whether s is a user pool trigger version setting.
func TriggerVersionOK(s string) bool {
	for _, v := range triggerVersions {
		if v == s {
			return true
		}
	}
	return false
}

// VersionMismatch says, in words, that an event is not of the version the
// mapping is written for, or returns "" when it is (or the mapping does not
// say). Callers add how to fix it in their terms. Cognito sends the version the user pool's trigger is set to, so such
// an event shows what a pool set differently would issue: under V1 no access
// token changes and every claim is text.
func VersionMismatch(triggerVersion string, ev *mapper.Event) string {
	if triggerVersion == "" || ev == nil || triggerVersions[ev.Version] == triggerVersion {
		return ""
	}
	msg := fmt.Sprintf("the event is version %s but the mapping says triggerVersion: %s, so this shows the tokens of a user pool whose trigger is %s",
		ev.Version, triggerVersion, triggerVersions[ev.Version])
	if ev.Version == "1" {
		msg += " (the access token does not change and every claim is text)"
	}
	return msg
}

// WithVersion rewrites a sample event as Cognito would send it under
// another trigger version: its version, request.scopes (versions 2 and 3
// carry them; the ones added are those of a sign-in through the API) and the
// name of its response object. It lets an author see each trigger's tokens
// from one event file. A client-credentials event exists only in version 3.
func WithVersion(raw []byte, version string) ([]byte, error) {
	if _, ok := triggerVersions[version]; !ok {
		return nil, fmt.Errorf("version %q is not a Cognito event version; use 1, 2 or 3", version)
	}
	if _, err := mapper.DecodeEvent(raw); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var ev map[string]any
	if err := dec.Decode(&ev); err != nil || ev == nil {
		return nil, errors.New("the event should be a JSON object")
	}
	if ev["triggerSource"] == "TokenGeneration_ClientCredentials" && version != "3" {
		return nil, fmt.Errorf("this is a client-credentials (machine-to-machine) event, which only version 3 has; use --version 3, or an event of a user's sign-in")
	}
	ev["version"] = version
	req, _ := ev["request"].(map[string]any)
	if req == nil {
		req = map[string]any{}
		ev["request"] = req
	}
	if version == "1" {
		delete(req, "scopes")
		ev["response"] = map[string]any{"claimsOverrideDetails": nil}
	} else {
		if _, ok := req["scopes"]; !ok {
			req["scopes"] = []any{"aws.cognito.signin.user.admin"}
		}
		ev["response"] = map[string]any{"claimsAndScopeOverrideDetails": nil}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(ev); err != nil {
		return nil, fmt.Errorf("the event cannot be rewritten: %w", err)
	}
	return b.Bytes(), nil
}
