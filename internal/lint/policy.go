package lint

import (
	"fmt"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
)

// Policies says, in one sentence, what an error does in each rule of m: the
// mapping's onClaimError for most, and the rules whose own onError differs,
// by path. A reviewer reads from it which authorization claims fail closed
// (the sign-in fails) and which fail open (the value is left out). It is ""
// for a mapping without claims, groups or scopes.
func Policies(m *config.Mapping) string {
	if m == nil {
		return ""
	}
	def := m.OnClaimError
	var rules int
	var other []string
	note := func(path string, own config.ErrorPolicy) {
		rules++
		if m.Policy(own) != def {
			other = append(other, path)
		}
	}
	for _, c := range m.Claims {
		note("claims."+c.Name, c.OnError)
	}
	if g := m.Groups; g != nil {
		note("groups", g.OnError)
	}
	if s := m.Scopes; s != nil {
		for i, r := range s.Add {
			note(fmt.Sprintf("scopes.add[%d]", i), r.OnError)
		}
		for i, r := range s.Suppress {
			note(fmt.Sprintf("scopes.suppress[%d]", i), r.OnError)
		}
	}
	if rules == 0 {
		return ""
	}
	if len(other) == 0 {
		return fmt.Sprintf("on error: every rule %s (onClaimError: %s)", effect(def, false), def)
	}
	opposite := config.Fail
	if def == config.Fail {
		opposite = config.Omit
	}
	if len(other) == rules {
		return fmt.Sprintf("on error: every rule %s (each says onError: %s)", effect(opposite, false), opposite)
	}
	return fmt.Sprintf("on error: %s %s (onError: %s); every other rule %s (onClaimError: %s)",
		strings.Join(other, ", "), effect(opposite, len(other) > 1), opposite, effect(def, false), def)
}

// effect says what a policy does to the sign-in.
func effect(p config.ErrorPolicy, plural bool) string {
	switch {
	case p == config.Fail && plural:
		return "fail the sign-in"
	case p == config.Fail:
		return "fails the sign-in"
	case plural:
		return "are left out and the sign-in goes on"
	}
	return "is left out and the sign-in goes on"
}
