package cli

import (
	"fmt"
	"sort"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// Env is a repeatable NAME=VALUE flag: values for the mapping's ${NAME}
// that take the place of the process environment's.
type Env map[string]string

// String lists the values as NAME=VALUE, sorted by name.
func (e Env) String() string {
	names := make([]string, 0, len(e))
	for n := range e {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		names[i] = n + "=" + e[n]
	}
	return strings.Join(names, ",")
}

// Set reads one NAME=VALUE.
func (e Env) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	switch {
	case !ok:
		return fmt.Errorf("%q should be NAME=VALUE, e.g. TABLE_NAME=SampleUsers", s)
	case !yamlnode.IsIdent(name):
		return fmt.Errorf("%q is not a variable name: letters, digits and _, not starting with a digit (e.g. TABLE_NAME=SampleUsers)", name)
	}
	if prev, dup := e[name]; dup && prev != value {
		return fmt.Errorf("%s is given twice (%q and %q); give it once", name, prev, value)
	}
	e[name] = value
	return nil
}
