package config

import "strings"

// Cognito's protected claims, from the Pre Token Generation trigger
// documentation: a trigger may neither add, override nor suppress them.
var (
	protectedBoth = set("sub", "acr", "amr", "auth_time", "azp", "exp", "iat", "iss", "jti",
		"nbf", "nonce", "origin_jti", "token_use")
	protectedID     = set("aud", "at_hash", "identities")
	protectedAccess = set("username", "client_id", "event_id", "device_key", "version", "scope")
	// groupClaims change only through the groups section.
	groupClaims = set("cognito:groups", "cognito:roles", "cognito:preferred_role")
)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// protectedReason explains why name may not be changed in the given tokens,
// or returns "" when it may. suppress tells a suppression from an addition.
func protectedReason(name string, tokens Tokens, suppress bool) string {
	switch {
	case groupClaims[name]:
		return "Cognito sets " + name + " from the user's groups; change it with the groups: section"
	case protectedBoth[name]:
		return "Cognito protects this claim in every token"
	case strings.HasPrefix(name, "cognito:"):
		return "Cognito protects every claim that starts with \"cognito:\""
	case tokens.Has(IDToken) && protectedID[name]:
		return "Cognito protects this claim in the ID token; limit it with tokens: [access]"
	case name == "scope" && tokens.Has(AccessToken):
		return "scopes change only through the scopes: section"
	case tokens.Has(AccessToken) && protectedAccess[name]:
		return "Cognito protects this claim in the access token; limit it with tokens: [id]"
	case !suppress && strings.HasPrefix(name, "dev:"):
		return "Cognito lets a trigger only suppress \"dev:\" claims, never add them"
	}
	return ""
}
