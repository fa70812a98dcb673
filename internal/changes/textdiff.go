package changes

import (
	"fmt"
	"io"
	"strings"
)

// maxDiffLines bounds the line diff: mappings are a few hundred lines, and
// the comparison takes time and memory in the product of the two lengths.
const maxDiffLines = 4000

// WriteTextDiff writes the lines that differ between two texts, each with
// its line number: "-" for a line only in a, "+" for one only in b, and a
// line of context around each run.
func WriteTextDiff(w io.Writer, aName, bName string, a, b []byte) {
	la, lb := lines(a), lines(b)
	if len(la) > maxDiffLines || len(lb) > maxDiffLines {
		fmt.Fprintf(w, "%s has %d lines, %s has %d: too long to compare line by line\n", aName, len(la), bName, len(lb))
		return
	}
	// lcs[i][j] is the longest common subsequence of la[i:] and lb[j:].
	lcs := make([][]int32, len(la)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(lb)+1)
	}
	for i := len(la) - 1; i >= 0; i-- {
		for j := len(lb) - 1; j >= 0; j-- {
			if la[i] == lb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type line struct {
		mark string
		n    int
		text string
	}
	var out []line
	i, j := 0, 0
	for i < len(la) || j < len(lb) {
		switch {
		case i < len(la) && j < len(lb) && la[i] == lb[j]:
			out = append(out, line{" ", j + 1, lb[j]})
			i++
			j++
		case i < len(la) && (j == len(lb) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, line{"-", i + 1, la[i]})
			i++
		default:
			out = append(out, line{"+", j + 1, lb[j]})
			j++
		}
	}
	fmt.Fprintf(w, "--- %s\n+++ %s\n", aName, bName)
	changed := false
	last := -2
	for k, l := range out {
		near := l.mark != " "
		if !near {
			near = (k > 0 && out[k-1].mark != " ") || (k+1 < len(out) && out[k+1].mark != " ")
		}
		if !near {
			continue
		}
		if last >= 0 && k != last+1 {
			fmt.Fprintln(w, "  …")
		}
		last = k
		if l.mark != " " {
			changed = true
		}
		fmt.Fprintf(w, "%s %4d  %s\n", l.mark, l.n, l.text)
	}
	if !changed {
		fmt.Fprintln(w, "(the texts are the same)")
	}
}

func lines(b []byte) []string {
	s := strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
