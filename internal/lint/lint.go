package lint

import (
	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Check returns every finding for a mapping's text, sorted by position:
// those of mapper.Load with the same options (size limit included) and
// those of the tests: section. env says what ${VAR} references resolve
// against; nil means the process environment. An unset variable is a
// warning here, since lint seldom runs where the function does.
func Check(file string, src []byte, env func(string) (string, bool)) []config.Finding {
	return CheckWithin(file, src, env, "")
}

// CheckWithin is Check reading the files the inline tests name only from
// the folder within (see inlinetest.ParseWithin); "" allows every file.
func CheckWithin(file string, src []byte, env func(string) (string, bool), within string) []config.Finding {
	_, fs := mapper.Load(src, mapper.LoadOptions{File: file, Config: config.Options{LookupEnv: env, UnsetEnvIsWarning: true}})
	suite, tfs := inlinetest.ParseWithin(file, src, within)
	fs = append(fs, tfs...)
	if config.Errors(fs) == nil {
		fs = append(fs, suite.MissingAttributes()...)
	}
	config.Sort(fs)
	return fs
}
