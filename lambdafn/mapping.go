package lambdafn

import (
	"errors"
	"fmt"
	"strings"
)

// EnvMapping is the variable holding the mapping's YAML inline. Lambda allows
// 4 KB of environment in total, which bounds an inline mapping.
const EnvMapping = "CLAIMS_MAPPING"

// MappingSource returns the mapping's text and the name messages use for it.
// It is the one place that knows where a mapping comes from, so that other
// sources (a file or S3 object) can be added here.
func MappingSource(getenv func(string) string) (name string, src []byte, err error) {
	text := getenv(EnvMapping)
	if strings.TrimSpace(text) == "" {
		return "", nil, fmt.Errorf("no mapping: set %s to the mapping's YAML", EnvMapping)
	}
	if strings.ContainsRune(text, 0) {
		return "", nil, errors.New(EnvMapping + ": the mapping contains a NUL byte")
	}
	return EnvMapping, []byte(text), nil
}
