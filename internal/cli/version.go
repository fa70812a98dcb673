package cli

import (
	"fmt"
	"strings"
)

// Version is the --version flag: the event version to rewrite a sample
// event to (1, 2 or 3; V1_0, V2_0 and V3_0 are read as those), or "".
type Version string

func (v *Version) String() string { return string(*v) }

// Set reads 1, 2, 3 or the trigger setting's V1_0, V2_0, V3_0.
func (v *Version) Set(s string) error {
	switch t := strings.TrimSuffix(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "V"), "_0"); t {
	case "1", "2", "3":
		*v = Version(t)
		return nil
	}
	return fmt.Errorf("%q is not a trigger version; use 1, 2 or 3", s)
}
