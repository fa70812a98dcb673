package mapper

import (
	"errors"
	"slices"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

// errUnbound is what a Mapper that reads ${NAME} says when it runs before
// it is bound to an environment.
var errUnbound = errors.New("the mapping reads ${NAME} variables and is not bound to an environment: call Bind, or load it with Load")

// Compile compiles a parsed mapping, once, with its ${NAME} references
// still unfilled: binding it to an environment (Bind) is then a cheap
// substitution, so one compile serves every environment (the function's,
// each inline test's env:). opts.Env is not read. Like Load, it returns
// the warnings, or a *config.Error with every finding; m's own findings
// (from config.Parse) are not among them. A Mapper whose mapping reads
// variables (m.Vars()) runs only once bound.
func Compile(m *config.Mapping, opts LoadOptions) (mp *Mapper, warnings []config.Finding, err error) {
	if costModelOff {
		opts.unbounded = true
	}
	mp, fs := compile(m, opts)
	config.Sort(fs)
	if config.Errors(fs) != nil {
		return nil, nil, &config.Error{Findings: fs}
	}
	return mp, fs, nil
}

// Bind returns mp with its mapping's ${NAME} references filled from env:
// the table and index names its sources read and the texts of its
// constants. Nothing is compiled again; the Mapper shares every program
// with mp. As Load, it returns the warnings (an unset variable under
// env.UnsetIsWarning), or a *config.Error with every finding: a variable
// env does not allow or set, a name that is no DynamoDB name once filled.
// A Mapper that reads no variable binds to itself.
func (mp *Mapper) Bind(env config.Env) (*Mapper, []config.Finding, error) {
	bound, fs := mp.bind(env)
	config.Sort(fs)
	if config.Errors(fs) != nil {
		return nil, nil, &config.Error{Findings: fs}
	}
	return bound, fs, nil
}

func (mp *Mapper) bind(env config.Env) (*Mapper, []config.Finding) {
	m, fs := mp.cfg.Bind(env)
	if m == mp.cfg {
		return mp, fs
	}
	cp := *mp
	cp.cfg, cp.unbound = m, false
	// Sources and claims whose settings changed point to their new
	// settings; their programs are shared.
	sources := map[*source]*source{}
	cp.sources = make([]*source, len(mp.sources))
	for i, s := range mp.sources {
		if at := slices.Index(mp.cfg.Sources, s.cfg); at >= 0 && m.Sources[at] != s.cfg {
			ns := *s
			ns.cfg = m.Sources[at]
			sources[s] = &ns
			s = &ns
		}
		cp.sources[i] = s
	}
	cp.levels = make([][]*source, len(mp.levels))
	for i, level := range mp.levels {
		cp.levels[i] = make([]*source, len(level))
		for j, s := range level {
			if ns, ok := sources[s]; ok {
				s = ns
			}
			cp.levels[i][j] = s
		}
	}
	tables := map[string]string{}
	for _, s := range m.Sources {
		tables[s.Name] = s.Table
	}
	cp.reads = rebindReads(mp.reads, tables)
	cp.claims = make([]*claim, len(mp.claims))
	for i, c := range mp.claims {
		nc := *c
		nc.reads = rebindReads(c.reads, tables)
		if at := slices.Index(mp.cfg.Claims, c.cfg); at >= 0 && m.Claims[at] != c.cfg {
			nc.cfg = m.Claims[at]
			// A constant's text changes type never: only !!str texts hold
			// references, so its meaning cannot fail here.
			nc.constant, _ = dynval.Const(nc.cfg.Const)
			nc.measureConst(mp.limits)
			if f, ok := constTooLarge(m.File, &nc, mp.limits); ok {
				fs = append(fs, f)
			}
		}
		cp.claims[i] = &nc
	}
	return &cp, fs
}

// rebindReads gives each read the table its source reads once bound.
func rebindReads(reads []AttrRead, tables map[string]string) []AttrRead {
	if !slices.ContainsFunc(reads, func(r AttrRead) bool { return strings.Contains(r.Table, "${") }) {
		return reads
	}
	out := slices.Clone(reads)
	for i := range out {
		if t, ok := tables[out[i].Source]; ok {
			out[i].Table = t
		}
	}
	return out
}
