package config

import (
	"fmt"
	"strings"
	"unicode"
)

// Claim names are compared exactly by JWT, but many apps look claims up
// ignoring case, trim them, or are read by people who cannot see a
// zero-width space or tell a Cyrillic "ѕ" from a Latin "s". A name that
// is a protected claim to any of them is refused like the protected claim.

// nameProblem says what is wrong with a claim name, as a rule and a message
// (the message ends where the caller may add how to fix it), or "" when
// nothing is.
func nameProblem(name string, tokens Tokens, suppress bool) (rule, msg string) {
	if strings.TrimSpace(name) == "" {
		return "claim-name", "a claim name cannot be empty or only spaces; write the name of the claim"
	}
	for _, r := range name {
		if what := invisible(r); what != "" {
			return "claim-name", fmt.Sprintf("the claim name %q contains %s (U+%04X), which a reader cannot see; remove it", name, what, r)
		}
	}
	verb := "added or overridden"
	if suppress {
		verb = "suppressed"
	}
	if why := protectedReason(name, tokens, suppress); why != "" {
		return "protected-claim", fmt.Sprintf("claim %q cannot be %s: %s", name, verb, why)
	}
	if canon := canonicalName(name); canon != name {
		if why := protectedReason(canon, tokens, suppress); why != "" {
			return "protected-claim", fmt.Sprintf("claim %q is %q written with other letters or case, and apps that look claims up ignoring case (or people reading the token) take one for the other; %q cannot be %s: %s; choose another name",
				name, canon, canon, verb, why)
		}
	}
	return "", ""
}

// invisible names a character that has no place in a claim name: control
// characters, spaces of any kind and zero-width (format) characters.
func invisible(r rune) string {
	switch {
	case unicode.IsControl(r):
		return "a control character"
	case unicode.IsSpace(r):
		return "a space"
	case unicode.Is(unicode.Cf, r), unicode.Is(unicode.Mn, r), unicode.Is(unicode.Me, r):
		return "an invisible character"
	}
	return ""
}

// canonicalName is how a name reads to a case-insensitive app or a
// person: trimmed, lower case, with look-alike letters as the Latin ones.
func canonicalName(name string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(name) {
		if l, ok := lookAlike[r]; ok {
			r = l
		} else if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFF01 - '!' // fullwidth forms of ASCII
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// lookAlike maps common letters of other scripts to the Latin letter they
// look like (the lower-case ones; ToLower folds the rest first).
var lookAlike = map[rune]rune{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x',
	'ѕ': 's', 'і': 'i', 'ј': 'j', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'һ': 'h', 'к': 'k',
	'А': 'a', 'В': 'b', 'Е': 'e', 'О': 'o', 'Р': 'p', 'С': 'c', 'У': 'y', 'Х': 'x',
	'Ѕ': 's', 'І': 'i', 'Ј': 'j', 'К': 'k', 'М': 'm', 'Н': 'h', 'Т': 't',
	// Greek
	'α': 'a', 'ο': 'o', 'ν': 'v', 'ρ': 'p', 'τ': 't', 'ι': 'i', 'κ': 'k', 'υ': 'u',
	'Α': 'a', 'Β': 'b', 'Ε': 'e', 'Ζ': 'z', 'Η': 'h', 'Ι': 'i', 'Κ': 'k', 'Μ': 'm',
	'Ν': 'n', 'Ο': 'o', 'Ρ': 'p', 'Τ': 't', 'Υ': 'y', 'Χ': 'x',
	// Latin look-alikes
	'ı': 'i', 'ℓ': 'l',
	// colons
	'꞉': ':', '։': ':', '˸': ':', '∶': ':', '︰': ':',
	// underscores
	'＿': '_', '‗': '_',
}
