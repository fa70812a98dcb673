package config

import (
	"fmt"
	"sort"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// Severity ranks a finding.
type Severity int

// Severities, most severe first.
const (
	SevError Severity = iota
	SevWarning
	SevInfo
)

func (s Severity) String() string {
	switch s {
	case SevError:
		return "error"
	case SevWarning:
		return "warning"
	}
	return "info"
}

// Finding is one problem found in a mapping, with where it is.
type Finding struct {
	File     string
	Pos      Pos
	Path     string
	Severity Severity
	Rule     string
	Message  string
	// Snippet is an optional excerpt with a caret, as expr prints its errors.
	Snippet string
	// Var is the ${NAME} the finding is about, for the rules env-unset and
	// env-not-allowed: a front end says how to give it from this, never by
	// reading the message, which is worded for the function's operator.
	Var string
}

func (f Finding) String() string {
	var b strings.Builder
	b.WriteString(f.File)
	if f.Pos.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", f.Pos.Line, f.Pos.Column)
	}
	b.WriteString(": ")
	if f.Path != "" {
		b.WriteString(f.Path)
		b.WriteString(": ")
	}
	b.WriteString(f.Message)
	return b.String()
}

// Error is returned when a mapping does not load. Findings holds every
// finding, sorted by position: at least one error, and the warnings and
// notes found with them. Its text is the errors', one per line.
type Error struct {
	Findings []Finding
}

func (e *Error) Error() string {
	var lines []string
	for _, f := range e.Findings {
		if f.Severity == SevError {
			lines = append(lines, f.String())
		}
	}
	if len(lines) == 0 { // built by hand with no error among them
		for _, f := range e.Findings {
			lines = append(lines, f.String())
		}
	}
	return strings.Join(lines, "\n")
}

// Sort orders findings by position, then rule, so output is stable.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		return a.Rule < b.Rule
	})
}

// Errors returns the findings of error severity as an *Error, or nil when there are none.
func Errors(fs []Finding) error {
	var errs []Finding
	for _, f := range fs {
		if f.Severity == SevError {
			errs = append(errs, f)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return &Error{Findings: errs}
}

// didYouMean formats a suggestion for appending to a message.
func didYouMean(word string, candidates []string) string {
	return yamlnode.DidYouMean(word, candidates)
}
