package mappingdoc

import "go.yaml.in/yaml/v3"

// Doc is what a mapping's text holds for the inline tests.
type Doc struct {
	// Tests is the tests: value as written, nil when the text has none (or
	// is not a YAML mapping at all). It shares config's tree: read it, never
	// change it.
	Tests *yaml.Node
	// TriggerVersion is the mapping's triggerVersion when it is one Cognito
	// has, else "".
	TriggerVersion string
}

// ParseFunc is config.Parse that also returns the text's Doc, from the
// same parse:
//
//	func(file string, src []byte, opts config.Options) (*config.Mapping, []config.Finding, Doc)
//
// This package cannot name config's types (config imports it), so package
// config hands it over with Register when it is initialised, and its one
// caller (package authoring) asserts that type; the tests of every package
// that compiles a mapping would fail at once if the two disagreed.
func ParseFunc() any { return parse }

var parse any

// Register is for package config's init only.
func Register(f any) { parse = f }
