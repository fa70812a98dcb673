package mapper

import (
	"fmt"
	"log/slog"
	"slices"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// LoadOptions is everything Load needs besides the mapping's text. The
// zero value loads a mapping that reads no ${NAME}, with no store, under
// the default limits.
type LoadOptions struct {
	// File is the name findings are reported against: a path, "-" or
	// "CLAIMS_MAPPING".
	File string
	// Config says how the text is read: the size limit (config.MaxSize
	// unless set lower or higher). The Lambda and lint must pass the same.
	Config config.Options
	// Env is what the mapping's ${NAME} references read: the variables
	// allowed (CLAIMS_MAPPING_ENV) and their values. Load binds the mapping
	// to it; Compile leaves it for Bind.
	Env config.Env
	// Store serves the mapping's sources. It may be nil for a mapping
	// without sources, or be set later with WithStore.
	Store Store
	// Logger receives warnings about omitted claims and failed lookups; nil
	// discards them.
	Logger *slog.Logger
	// Limits bound what the expressions of one event may do. A limit left
	// at zero takes its default, the one the Lambda runs under and
	// docs/mapping.md states; raise one only knowing the cost per sign-in.
	Limits Limits
	// unbounded compiles without the evaluation budget: only benchmarks
	// set it (export_test.go), to measure what the budget costs.
	unbounded bool
}

// Load is the one way from a mapping's text to a runnable Mapper: the
// Lambda's init, every CLI command and lint call it and nothing else, so
// lint accepts exactly what the function loads.
//
// When the mapping has an error, Load returns a nil Mapper and a
// *config.Error that holds every finding (errors, warnings and notes,
// sorted by position, each with its file:line:col and how to fix it); get
// at them with errors.As. Otherwise it returns the Mapper and the warnings
// and notes, which do not stop it from running. Expressions are compiled
// even when other parts of the mapping are wrong, so one run shows every
// mistake; only text that is not a YAML mapping at all has nothing to
// compile.
func Load(src []byte, opts LoadOptions) (mp *Mapper, warnings []config.Finding, err error) {
	m, fs := config.Parse(opts.File, src, opts.Config)
	if m == nil {
		fs = withRepairedFindings(src, opts, fs)
		config.Sort(fs)
		return nil, nil, &config.Error{Findings: fs}
	}
	if costModelOff {
		opts.unbounded = true
	}
	mp, cfs := compile(m, opts)
	fs = append(fs, cfs...)
	mp, bfs := mp.bind(opts.Env)
	fs = append(fs, bfs...)
	config.Sort(fs)
	if config.Errors(fs) != nil {
		return nil, nil, &config.Error{Findings: fs}
	}
	return mp, fs, nil
}

// withRepairedFindings adds, to the findings of a text YAML stopped at an
// indentation error, those of the text with that line (and the next such
// ones) lined up as the errors suggest: the author sees every mistake at
// once, not one per round of fixing. Nothing of the repaired text runs; the
// mapping still does not load.
func withRepairedFindings(src []byte, opts LoadOptions, fs []config.Finding) []config.Finding {
	// Only a text YAML stopped at has anything to repair: one refused for
	// its size or shape is not decoded again.
	if !slices.ContainsFunc(fs, func(f config.Finding) bool { return f.Rule == "indentation" || f.Rule == "yaml" }) {
		return fs
	}
	seen := map[string]bool{}
	key := func(f config.Finding) string { return fmt.Sprint(f.Pos, f.Rule, f.Path, f.Message) }
	for _, f := range fs {
		seen[key(f)] = true
	}
	cur := src
	shifted := map[int]int{} // line: columns it moved
	for range 8 {
		repaired, line, shift, ok := yamlnode.RepairIndentation(cur)
		if !ok {
			break
		}
		cur = repaired
		shifted[line] += shift
		m, more := config.Parse(opts.File, cur, opts.Config)
		if m != nil {
			_, cfs := compile(m, opts)
			more = append(more, cfs...)
		}
		for _, f := range more {
			// A finding on a moved line is placed where its text is in
			// the author's file.
			if d := shifted[f.Pos.Line]; d != 0 && f.Pos.Column > d {
				f.Pos.Column -= d
			}
			if !seen[key(f)] {
				seen[key(f)] = true
				fs = append(fs, f)
			}
		}
		if m != nil {
			break
		}
	}
	config.Sort(fs)
	return fs
}

// WithStore returns a Mapper that shares mp's compiled mapping and looks its
// sources up in store. It is for callers that learn only from the mapping
// whether they need a store at all: the CLI opens DynamoDB only for a
// mapping that has sources.
func (mp *Mapper) WithStore(store Store) *Mapper {
	cp := *mp
	cp.store = store
	return &cp
}

// WithLogger returns a Mapper that shares mp's compiled mapping and logs
// its warnings to log (nil discards them): one compiled mapping serves
// callers that each keep their own log, as the inline tests do.
func (mp *Mapper) WithLogger(log *slog.Logger) *Mapper {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cp := *mp
	cp.log = log
	return &cp
}

// HasSources reports whether the mapping reads anything from a Store.
func (mp *Mapper) HasSources() bool { return len(mp.sources) > 0 }
