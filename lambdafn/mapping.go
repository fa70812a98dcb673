package lambdafn

import "github.com/claimsmapper/claimsmapper/mappingsource"

// EnvMapping is the variable holding the mapping's YAML inline. Lambda allows
// 4 KB of environment in total, which bounds an inline mapping; larger
// mappings come from CLAIMS_MAPPING_URI (see package mappingsource).
const EnvMapping = mappingsource.EnvInline
