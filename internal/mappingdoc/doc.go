// Package mappingdoc carries what one parse of a mapping's text holds for
// the author's tools besides the mapping the function runs: the tests:
// section, as YAML, and the triggerVersion its tests are checked against.
//
// Package config parses the text once (config.Parse); the inline tests
// read their section from that parse rather than parsing the text again, so
// the studio's keystroke and `claimsmapper test` parse a mapping once
// however many tests it has. The tree is YAML, which config's public API
// never shows: the parse that keeps it is reachable only from inside this
// module, through Parse.
package mappingdoc
