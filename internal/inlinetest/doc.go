// Package inlinetest runs the inline tests a mapping file carries in its
// tests: section, so that the people who edit a mapping can check it the way
// a Lambda would run it, without AWS.
//
// A test names an event (a file or an inline object), the data its sources
// read (inline tables or a data file, served from memory by package
// localdata) and what the tokens must then hold. The runtime ignores tests:;
// ParseWithin reads the section from the mapping's one parse and compile
// (authoring.Compile keeps it, package mappingdoc says how), so the text is
// parsed once for the mapping and its tests (package lint adds the tests'
// findings to the mapping's own). Suite.Run binds that one compile to the
// test's env:, as mapper.Load would load it for the function, evaluates one
// test and compares by preview.Same, the rule diff uses too: a token is
// JSON, so 42 and "42" differ.
//
// ${VAR} references in the mapping resolve, per test, from the test's env:
// first and the process environment second, so a test does not depend on
// the shell it runs in.
package inlinetest
