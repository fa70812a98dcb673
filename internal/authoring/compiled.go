package authoring

import (
	"errors"
	"log/slog"
	"slices"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/mappingdoc"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Compiled is a mapping's text parsed and compiled once, its ${NAME} left
// unfilled, for the tools that bind it to many environments: lint, every
// inline test's env:, the sample data's users, the studio's preview.
// Binding it (Load) gives what mapper.Load gives for that environment,
// findings included, without parsing or compiling again.
type Compiled struct {
	// Mapping is the parsed, unbound mapping; nil when the text is not a
	// YAML mapping at all.
	Mapping *config.Mapping
	// Doc is the tests: section of the same parse, for package
	// inlinetest: the text is parsed once for the mapping and its tests.
	Doc mappingdoc.Doc
	// findings are the parse's and the compile's, every severity.
	findings []config.Finding
	mapper   *mapper.Mapper
}

// parse is config.Parse keeping the Doc (see package mappingdoc).
var parse = mappingdoc.ParseFunc().(func(string, []byte, config.Options) (*config.Mapping, []config.Finding, mappingdoc.Doc))

// Compile parses and compiles src once.
func Compile(file string, src []byte, opts config.Options) *Compiled {
	m, fs, doc := parse(file, src, opts)
	c := &Compiled{Mapping: m, Doc: doc, findings: fs}
	if m == nil {
		// Text YAML stops early at: Load adds what the rest of it holds
		// (it reads the text again, its indentation repaired). Text
		// refused for its size, its shape or a second document has
		// nothing more to say, and is not parsed again.
		if slices.ContainsFunc(fs, func(f config.Finding) bool { return f.Rule == "yaml" || f.Rule == "indentation" }) {
			_, _, err := mapper.Load(src, mapper.LoadOptions{File: file, Config: opts})
			c.findings = Findings(nil, nil, err)
		}
		return c
	}
	mp, warnings, err := mapper.Compile(m, mapper.LoadOptions{File: file})
	c.findings = append(c.findings, Findings(mp, warnings, err)...)
	config.Sort(c.findings)
	if config.Errors(c.findings) == nil {
		c.mapper = mp
	}
	return c
}

// Load is mapper.Load for env, store and log, from the one compile: the
// Mapper bound to env and the warnings, or a *config.Error with every
// finding.
func (c *Compiled) Load(env config.Env, store mapper.Store, log *slog.Logger) (*mapper.Mapper, []config.Finding, error) {
	fs := c.findings
	var bound *mapper.Mapper
	if c.Mapping != nil {
		var bfs []config.Finding
		if c.mapper != nil {
			var err error
			bound, bfs, err = c.mapper.Bind(env)
			var ce *config.Error
			if errors.As(err, &ce) {
				bfs = ce.Findings
			}
		} else {
			_, bfs = c.Mapping.Bind(env)
		}
		fs = append(append([]config.Finding(nil), fs...), bfs...)
		config.Sort(fs)
	}
	if bound == nil || config.Errors(fs) != nil {
		return nil, nil, &config.Error{Findings: fs}
	}
	return bound.WithStore(store).WithLogger(log), fs, nil
}
