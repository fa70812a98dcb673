package studio

import (
	"log/slog"
	"os"
	"path/filepath"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// loadMapper is the one place the studio turns a mapping's text into a
// mapper, exactly as the command line's preview does.
func loadMapper(file string, src []byte, lookupEnv func(string) (string, bool), store mapper.Store, log *slog.Logger) (*mapper.Mapper, error) {
	// Messages name the file as the author knows it, not by its full path.
	mp, fs := mapper.Load(src, mapper.LoadOptions{File: filepath.Base(file), Config: readOptions(lookupEnv), Store: store, Logger: log})
	if err := config.Errors(fs); err != nil {
		return nil, err
	}
	return mp, nil
}

// readOptions reads a mapping with lookupEnv's values and, as the function
// does, only the variables CLAIMS_MAPPING_ENV allows, here from the studio's
// own environment (a mistake in it is a lint finding).
func readOptions(lookupEnv func(string) (string, bool)) config.Options {
	allow, _ := config.AllowedEnv(os.LookupEnv)
	return config.Options{LookupEnv: lookupEnv, AllowEnv: allow}
}

// warnUnset makes an unset variable a warning, to read what the mapping
// names even where its variables are not set.
func warnUnset(o config.Options) config.Options {
	o.UnsetEnvIsWarning = true
	return o
}

// check is lint on the editor's text: every finding of the mapping and of
// its tests: section, and the tests ready to run. Files the tests name
// are read only from the mapping's folder.
func (s *Server) check(src []byte) (*inlinetest.Suite, []config.Finding) {
	return s.tests(src), lint.CheckWithin(s.file, src, s.processEnv, s.dir)
}

// tests are the text's inline tests, without lint's work: for the requests
// that need only the tests (their env: values, their names).
func (s *Server) tests(src []byte) *inlinetest.Suite {
	suite, _ := inlinetest.ParseWithin(s.file, src, s.dir)
	return suite
}

// lookupEnv resolves ${VAR} as the command line does: --env, then the
// process environment; a variable neither sets comes from the first
// inline test that sets it, so the seed scenario works without setting
// anything.
func (s *Server) lookupEnv(cases []*inlinetest.Case) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := s.processEnv(name); ok {
			return v, true
		}
		for _, c := range cases {
			if v, ok := c.Env[name]; ok {
				return v, true
			}
		}
		return "", false
	}
}

// processEnv is --env, then the process environment: what lint warns about.
func (s *Server) processEnv(name string) (string, bool) {
	if v, ok := s.opts.Env[name]; ok {
		return v, true
	}
	return os.LookupEnv(name)
}

// testEnv resolves ${VAR} for one inline test: its env: first.
func testEnv(c *inlinetest.Case) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := c.Env[name]; ok {
			return v, true
		}
		return os.LookupEnv(name)
	}
}
