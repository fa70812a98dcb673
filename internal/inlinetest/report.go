package inlinetest

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// FileOutcomes is the outcomes of one mapping file's tests.
type FileOutcomes struct {
	File     string
	Outcomes []Outcome
}

// WriteText writes one line per test and, for a failure, what differed:
// the expected value on a "-" line and the actual one on a "+" line.
func WriteText(w io.Writer, files []FileOutcomes) (passed, failed int) {
	for _, f := range files {
		for _, o := range f.Outcomes {
			if o.Passed() {
				passed++
				fmt.Fprintf(w, "PASS  %s\n", o.Case.Name)
				continue
			}
			failed++
			fmt.Fprintf(w, "FAIL  %s  (%s:%d:%d)\n", o.Case.Name, f.File, o.Case.Pos.Line, o.Case.Pos.Column)
			io.WriteString(w, indent(failureText(o), "      "))
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", passed, failed)
	return passed, failed
}

// failureText says what went wrong in one test, one fact per line.
func failureText(o Outcome) string {
	var b strings.Builder
	if o.Problem != "" {
		fmt.Fprintf(&b, "the test could not run: %s\n", o.Problem)
	}
	for _, d := range o.Diffs {
		fmt.Fprintf(&b, "%s\n  - expected: %s\n  + actual:   %s\n", d.What, d.Expected, d.Actual)
	}
	if o.Log != "" {
		b.WriteString("the mapping reported:\n")
		b.WriteString(indent(o.Log, "  "))
	}
	return b.String()
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	var b strings.Builder
	for _, l := range lines {
		if l != "" {
			b.WriteString(prefix + l)
		}
	}
	return b.String()
}

// JUnit XML, as CI systems read it: one testsuite per mapping file.
type (
	junitSuites struct {
		XMLName xml.Name     `xml:"testsuites"`
		Suites  []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		ClassName string        `xml:"classname,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Text    string `xml:",chardata"`
	}
)

// WriteJUnit writes the outcomes as JUnit XML.
func WriteJUnit(w io.Writer, files []FileOutcomes) (passed, failed int, err error) {
	var doc junitSuites
	for _, f := range files {
		s := junitSuite{Name: f.File, Tests: len(f.Outcomes)}
		for _, o := range f.Outcomes {
			c := junitCase{Name: o.Case.Name, ClassName: f.File}
			if o.Passed() {
				passed++
			} else {
				failed++
				s.Failures++
				c.Failure = &junitFailure{
					Message: fmt.Sprintf("%s:%d:%d: the test failed", f.File, o.Case.Pos.Line, o.Case.Pos.Column),
					Text:    failureText(o),
				}
			}
			s.Cases = append(s.Cases, c)
		}
		doc.Suites = append(doc.Suites, s)
	}
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return passed, failed, err
	}
	_, err = io.WriteString(w, "\n")
	return passed, failed, err
}
