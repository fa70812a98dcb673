// Command benchreport writes BENCHMARKS.md from the output of the
// benchmark runs `make bench` makes (go test -bench, and make package for
// the package sizes). Timings are medians of the runs; it fails when a
// benchmark the report needs is missing, so the file is never half new.
//
//	benchreport -o BENCHMARKS.md out/*.txt
package main

import (
	_ "embed"
	"flag"
	"fmt"
	"os"
	"text/template"
)

//go:embed template.md
var page string

func main() {
	out := flag.String("o", "BENCHMARKS.md", "the file to write")
	flag.Parse()
	if err := run(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(out string, inputs []string) error {
	if len(inputs) == 0 {
		return fmt.Errorf("no benchmark output files given")
	}
	res := &results{values: map[string]map[string][]float64{}}
	for _, name := range inputs {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = parse(f, res)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	r, err := build(res)
	if err != nil {
		return err
	}
	tmpl, err := template.New("page").Parse(page)
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := tmpl.Execute(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
