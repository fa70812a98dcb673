package studio

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/lint"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// loadMapper is the one place the studio turns a mapping's text into a
// mapper, exactly as the command line's preview does.
func loadMapper(file string, src []byte, lookupEnv func(string) (string, bool), store mapper.Store, log *slog.Logger) (*mapper.Mapper, error) {
	// Messages name the file as the author knows it, not by its full path.
	mp, fs := mapper.Load(src, mapper.LoadOptions{File: filepath.Base(file), Config: config.Options{LookupEnv: lookupEnv}, Store: store, Logger: log})
	if err := config.Errors(fs); err != nil {
		return nil, err
	}
	return mp, nil
}

// check is lint on the editor's text: every finding of the mapping and of
// its tests: section, and the tests ready to run. Files the tests name
// outside the mapping's folder are not read.
func (s *Server) check(src []byte) (*inlinetest.Suite, []config.Finding) {
	src, outside := s.confine(src)
	suite, _ := inlinetest.Parse(s.file, src)
	fs := lint.Check(s.file, src, s.processEnv)
	if len(outside) == 0 {
		return suite, fs
	}
	blocked := map[config.Pos]bool{}
	for _, f := range outside {
		blocked[f.Pos] = true
	}
	kept := outside
	for _, f := range fs {
		if !blocked[f.Pos] {
			kept = append(kept, f)
		}
	}
	config.Sort(kept)
	return suite, kept
}

// confine finds the event: and data: files of the tests: section that lie
// outside the mapping's folder, and returns src with each such path
// replaced by a name that reads nothing, plus a finding for each.
func (s *Server) confine(src []byte) ([]byte, []config.Finding) {
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return src, nil
	}
	var tests *yaml.Node
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "tests" {
			tests = root.Content[i+1]
		}
	}
	if tests == nil || tests.Kind != yaml.SequenceNode {
		return src, nil
	}
	var fs []config.Finding
	lines := bytes.SplitAfter(bytes.Clone(src), []byte("\n"))
	for _, item := range tests.Content {
		if item.Kind != yaml.MappingNode {
			continue
		}
		for i := 0; i+1 < len(item.Content); i += 2 {
			key, val := item.Content[i].Value, item.Content[i+1]
			if (key != "event" && key != "data") || val.Kind != yaml.ScalarNode || val.Tag != "!!str" || s.inside(val.Value) {
				continue
			}
			fs = append(fs, config.Finding{File: s.file, Pos: config.Pos{Line: val.Line, Column: val.Column},
				Severity: config.SevError, Rule: "studio-outside-folder", Path: "tests",
				Message: "the studio reads only files in the mapping's folder; move the file next to the mapping, or run this test with `claimsmapper test`"})
			blank(lines, val)
		}
	}
	if fs == nil {
		return src, nil
	}
	return bytes.Join(lines, nil), fs
}

// blank overwrites a one-line scalar's text in place with underscores, a
// relative name that is not there, keeping every other position.
func blank(lines [][]byte, n *yaml.Node) {
	if n.Line < 1 || n.Line > len(lines) || n.Column < 1 {
		return
	}
	line := lines[n.Line-1]
	start := n.Column - 1
	if start >= len(line) {
		return
	}
	end := start
	switch n.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		q := line[start]
		for end = start + 1; end < len(line) && (line[end] != q || line[end-1] == '\\'); end++ {
		}
		if end < len(line) {
			end++
		}
	case 0:
		end = start + len(n.Value)
	default:
		// A block scalar: its text is on the next lines; leave it to the
		// loader, which cannot name a file with a newline anyway.
		return
	}
	if end > len(line) || end-start < 1 {
		return
	}
	for i := start; i < end; i++ {
		line[i] = '_'
	}
}

// inside reports whether a path an inline test names, relative to the
// mapping's folder, stays in that folder once symbolic links are followed.
func (s *Server) inside(p string) bool {
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.dir, p)
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	rel, err := filepath.Rel(s.dir, filepath.Clean(p))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
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
