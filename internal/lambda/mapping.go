package lambda

import "github.com/claimsmapper/claimsmapper/internal/mappingfile"

// EnvMapping is the variable holding the mapping's YAML inline. Lambda allows
// 4 KB of environment in total, which bounds an inline mapping; larger
// mappings come from CLAIMS_MAPPING_URI (see package mappingfile).
const EnvMapping = mappingfile.EnvInline
