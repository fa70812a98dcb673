package lint

import (
	"os"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Check returns every finding for a mapping's text, sorted by position:
// those of mapper.Load with the same options (size limit included) and
// those of the tests: section. env says what ${VAR} references resolve
// against; nil means the process environment. An unset variable is a
// warning here, since lint seldom runs where the function does. Which
// variables ${NAME} may read is the CLAIMS_MAPPING_ENV that env holds, as in
// the function: the same rules, so a mapping naming any other is an error.
func Check(file string, src []byte, env func(string) (string, bool)) []config.Finding {
	return CheckWithin(file, src, env, "")
}

// CheckWithin is Check reading the files the inline tests name only from
// the folder within (see inlinetest.ParseWithin); "" allows every file.
func CheckWithin(file string, src []byte, env func(string) (string, bool), within string) []config.Finding {
	if env == nil {
		env = os.LookupEnv
	}
	allow, err := config.AllowedEnv(env)
	_, fs := mapper.Load(src, mapper.LoadOptions{File: file, Config: config.Options{LookupEnv: env, AllowEnv: allow, UnsetEnvIsWarning: true}})
	if err != nil {
		fs = append(fs, config.Finding{File: file, Pos: config.Pos{Line: 1, Column: 1}, Severity: config.SevError, Rule: "env-not-allowed",
			Message: err.Error() + "; lint reads this setting from its own environment, as the function does from its configuration"})
	}
	suite, tfs := inlinetest.ParseWithin(file, src, within)
	fs = append(fs, tfs...)
	if config.Errors(fs) == nil {
		fs = append(fs, suite.WithEnv(env).MissingAttributes()...)
	}
	config.Sort(fs)
	return fs
}
