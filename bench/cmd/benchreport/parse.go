package main

import (
	"bufio"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// results holds what the benchmark runs printed: for each benchmark (its
// name without the -GOMAXPROCS suffix) and unit, every value seen, and the
// package sizes `make package` printed.
type results struct {
	values   map[string]map[string][]float64
	packages []pkg
	cpu      string
}

type pkg struct {
	Arch           string
	Bootstrap, Zip int
}

var (
	procSuffix  = regexp.MustCompile(`-\d+$`)
	packageLine = regexp.MustCompile(`claimsmapper-(\w+)\.zip: bootstrap (\d+) bytes, zip (\d+) bytes`)
)

// parse reads `go test -bench` output and `make package` output.
func parse(r io.Reader, res *results) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		if m := packageLine.FindStringSubmatch(line); m != nil {
			boot, _ := strconv.Atoi(m[2])
			zip, _ := strconv.Atoi(m[3])
			res.packages = slices.DeleteFunc(res.packages, func(p pkg) bool { return p.Arch == m[1] })
			res.packages = append(res.packages, pkg{m[1], boot, zip})
			continue
		}
		if cpu, ok := strings.CutPrefix(line, "cpu: "); ok {
			res.cpu = cpu
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := procSuffix.ReplaceAllString(f[0], "")
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			if res.values[name] == nil {
				res.values[name] = map[string][]float64{}
			}
			res.values[name][f[i+1]] = append(res.values[name][f[i+1]], v)
		}
	}
	return sc.Err()
}

// median returns the median of a benchmark's values in unit, and whether
// there were any.
func (res *results) median(name, unit string) (float64, bool) {
	vs := slices.Clone(res.values[name][unit])
	if len(vs) == 0 {
		return 0, false
	}
	slices.Sort(vs)
	if n := len(vs); n%2 == 0 {
		return (vs[n/2-1] + vs[n/2]) / 2, true
	}
	return vs[len(vs)/2], true
}
