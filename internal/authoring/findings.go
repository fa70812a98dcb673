package authoring

import (
	"errors"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Findings is every finding of mapper.Load, as lint shows them: the
// warnings of a mapping that loaded, or all the findings a *config.Error
// carries. Any other error, which Load does not return, becomes a finding
// of its own so that it is never lost. It takes Load's results as they
// come: authoring.Findings(mapper.Load(src, opts)).
func Findings(_ *mapper.Mapper, warnings []config.Finding, err error) []config.Finding {
	if err == nil {
		return warnings
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		return ce.Findings
	}
	return append(warnings, config.Finding{Severity: config.SevError, Rule: "load", Message: err.Error()})
}
