package preview

import (
	"strings"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// Placeholder values for what only exists once Cognito issues a token.
const (
	placeholderTime = int64(1700000000)
	placeholderID   = "00000000-0000-0000-0000-000000000000"
	defaultScope    = "aws.cognito.signin.user.admin"
)

// placeholders are the claims whose values the preview invents.
var placeholders = map[string]bool{
	"auth_time": true, "iat": true, "exp": true, "jti": true, "origin_jti": true, "event_id": true,
}

func issuer(ev *mapper.Event) string {
	return "https://cognito-idp." + ev.Region + ".amazonaws.com/" + ev.UserPoolID
}

func times(c map[string]any) {
	c["auth_time"] = placeholderTime
	c["iat"] = placeholderTime
	c["exp"] = placeholderTime + 3600
	c["jti"] = placeholderID
}

// baseID is the ID token Cognito would issue without the trigger.
func baseID(ev *mapper.Event) map[string]any {
	c := map[string]any{}
	for k, v := range ev.UserAttributes {
		// cognito:user_status and the alias flags stay in the user pool.
		if strings.HasPrefix(k, "cognito:") {
			continue
		}
		if k == "email_verified" || k == "phone_number_verified" {
			if s, ok := v.(string); ok && (s == "true" || s == "false") {
				v = s == "true"
			}
		}
		c[k] = v
	}
	c["cognito:username"] = ev.UserName
	c["aud"] = ev.ClientID
	c["iss"] = issuer(ev)
	c["token_use"] = "id"
	c["origin_jti"] = placeholderID
	c["event_id"] = placeholderID
	times(c)
	return c
}

// baseAccess is the access token Cognito would issue without the trigger.
func baseAccess(ev *mapper.Event) map[string]any {
	c := map[string]any{
		"iss":       issuer(ev),
		"client_id": ev.ClientID,
		"token_use": "access",
		"scope":     scope(ev.Scopes),
		"version":   int64(2),
	}
	times(c)
	if ev.ClientCredentials() {
		// A machine-to-machine token has no user: its subject is the client.
		c["sub"] = ev.ClientID
		return c
	}
	if sub, ok := ev.UserAttributes["sub"]; ok {
		c["sub"] = sub
	}
	c["username"] = ev.UserName
	c["origin_jti"] = placeholderID
	c["event_id"] = placeholderID
	return c
}

func scope(scopes []string) string {
	if len(scopes) == 0 {
		return defaultScope
	}
	return strings.Join(scopes, " ")
}
