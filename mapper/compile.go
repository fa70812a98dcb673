package mapper

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/dynval"
	"github.com/claimsmapper/claimsmapper/internal/loadcount"
	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

// Mapper is a compiled mapping. It is safe for concurrent use.
type Mapper struct {
	cfg      *config.Mapping
	store    Store
	log      *slog.Logger
	sources  []*source   // in dependency order
	levels   [][]*source // sources that can be looked up together
	claims   []*claim
	suppress []*suppression
	groups   groupRules
	scopeAdd []*scopeRule
	scopeDel []*scopeRule
	// The pools are pointers so that WithStore's copy shares them.
	vms    *sync.Pool
	envs   *sync.Pool
	limits *Limits
	// unbounded was compiled without the evaluation budget (benchmarks only).
	unbounded bool
	// patterns are the quoted patterns of the mapping, compiled once.
	patterns map[string]*pattern
	// spent, when set (by the cost measurements), is told the work and the
	// bytes each evaluation charged.
	spent func(work, bytes int)
	// timeout, when set (by the tests about the work and bytes budgets),
	// replaces the mapping's timeout, so that only the budget can stop
	// their expressions however slowly the machine runs them.
	timeout time.Duration
	// claimNames is every claim name, sorted: the order the response
	// writes claims in, as encoding/json would.
	claimNames []string
	// reads is every attribute the expressions read of a source, in file order.
	reads []AttrRead
	// unbound is set while the mapping's ${NAME} are not filled in (Bind).
	unbound bool
}

type source struct {
	cfg        *config.Source
	key        []keyProg
	partition  keyProg
	sortPrefix *keyProg
	when       *vm.Program
	// projection lists the attributes expressions read, plus the key; nil means all.
	projection []string
	deps       []string
}

type keyProg struct {
	attr string
	prog *vm.Program
}

type claim struct {
	cfg   *config.Claim
	path  string
	value *vm.Program
	when  *vm.Program
	// reads is what value reads of sources: explain says which is missing.
	reads []AttrRead
	// constant is cfg.Const's meaning (dynval.Const), and constSize what
	// each copy of it in a token is charged (valueSize), or constErr the
	// limit it passes: measured once, when it is compiled or bound, not at
	// every sign-in.
	constant  any
	constSize int
	constErr  error
	// onError is the claim's policy: its own onError, or onClaimError.
	onError config.ErrorPolicy
}

type suppression struct {
	cfg  *config.Suppression
	path string
	when *vm.Program
}

type groupRules struct {
	override, iamRoles, preferredRole *vm.Program
	onError                           config.ErrorPolicy
}

type scopeRule struct {
	path        string
	value, when *vm.Program
	onError     config.ErrorPolicy
	ownPolicy   bool // onError is the rule's own, not onClaimError
}

// compile compiles what it can of m and returns every finding. The Mapper
// must not be used unless config.Errors(findings) is nil.
func compile(m *config.Mapping, opts LoadOptions) (*Mapper, []config.Finding) {
	loadcount.Compiled()
	store, log := opts.Store, opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mp := &Mapper{cfg: m, store: store, log: log, vms: &sync.Pool{New: func() any { return &vm.VM{} }}, envs: &sync.Pool{}}
	limits := opts.Limits.withDefaults()
	mp.limits = &limits
	c := newCompiler(m)
	c.limits = mp.limits
	c.unbounded = opts.unbounded
	mp.unbounded = opts.unbounded
	mp.compileSources(c)
	for _, cl := range m.Claims {
		value := c.compile(cl.Value, false)
		if value != nil {
			c.checkNonFiniteConstant(cl.Value)
		}
		c.checkV1Type(cl, value)
		nc := &claim{cfg: cl, path: claimPath(cl.Name), value: value, when: c.compile(cl.When, true),
			reads: c.reads[cl.Value], constant: c.constant(cl), onError: m.Policy(cl.OnError)}
		nc.measureConst(mp.limits)
		mp.claims = append(mp.claims, nc)
		mp.claimNames = append(mp.claimNames, cl.Name)
	}
	slices.Sort(mp.claimNames)
	c.checkConstSizes(mp.claims)
	for i, s := range m.Suppress {
		mp.suppress = append(mp.suppress, &suppression{cfg: s, path: fmt.Sprintf("suppress[%d]", i), when: c.compile(s.When, true)})
	}
	if g := m.Groups; g != nil {
		for _, e := range []*config.Expr{g.Override, g.IAMRoles, g.PreferredRole} {
			if e != nil {
				c.quoted[e] = []quotedResult{}
			}
		}
		mp.groups = groupRules{c.compile(g.Override, false), c.compile(g.IAMRoles, false), c.compile(g.PreferredRole, false), m.Policy(g.OnError)}
		c.checkGroupLiterals(g)
	}
	if s := m.Scopes; s != nil {
		for _, r := range s.Add {
			mp.scopeAdd = append(mp.scopeAdd, &scopeRule{r.Value.Path, c.compile(r.Value, false), c.compile(r.When, true), m.Policy(r.OnError), r.OnError != ""})
		}
		for _, r := range s.Suppress {
			mp.scopeDel = append(mp.scopeDel, &scopeRule{r.Value.Path, c.compile(r.Value, false), c.compile(r.When, true), m.Policy(r.OnError), r.OnError != ""})
		}
	}
	mp.order(c)
	mp.project(c)
	mp.reads = c.allReads()
	mp.unbound = len(m.Vars()) > 0
	mp.patterns = c.patterns
	c.checkSelfGranted(m)
	c.checkScopeLiterals(m)
	for _, s := range m.Sources {
		if _, inEnv := c.env[s.Name]; c.usage[s.Name] == nil && inEnv {
			c.add(config.Finding{Pos: s.Pos, Path: "sources." + s.Name, Severity: config.SevWarning, Rule: "source-unused",
				Message: fmt.Sprintf("source %q is never used, yet it would cost a DynamoDB request per sign-in; use it in a claim or remove it", s.Name)})
		}
	}
	return mp, c.findings
}

// claimPath is a claim's YAML path as messages show it.
func claimPath(name string) string {
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Sprintf("claims[%q]", name)
		}
	}
	return "claims." + name
}

// Mapping returns the parsed mapping the Mapper was compiled from.
func (mp *Mapper) Mapping() *config.Mapping { return mp.cfg }

func (mp *Mapper) compileSources(c *compiler) {
	for _, s := range mp.cfg.Sources {
		src := &source{cfg: s, when: c.compile(s.When, true)}
		for _, kv := range s.Key {
			src.key = append(src.key, keyProg{kv.Attr, c.compile(kv.Value, false)})
		}
		if q := s.Query; q != nil {
			src.partition = keyProg{q.Partition.Attr, c.compile(q.Partition.Value, false)}
			if sp := q.SortBeginsWith; sp != nil {
				src.sortPrefix = &keyProg{sp.Attr, c.compile(sp.Value, false)}
			}
		}
		mp.sources = append(mp.sources, src)
	}
}

// order sorts the sources so that each comes after what it depends on, and
// groups them into levels that can be looked up concurrently.
func (mp *Mapper) order(c *compiler) {
	byName := map[string]*source{}
	for _, s := range mp.sources {
		byName[s.cfg.Name] = s
		s.deps = c.sourceRefs(s.cfg)
	}
	level := map[string]int{}
	const visiting = -1
	var visit func(s *source, stack []string) int
	visit = func(s *source, stack []string) int {
		switch l, seen := level[s.cfg.Name]; {
		case seen && l == visiting:
			i := indexOf(stack, s.cfg.Name)
			cycle := append(append([]string{}, stack[i:]...), s.cfg.Name)
			c.add(config.Finding{Pos: s.cfg.Pos, Path: "sources." + s.cfg.Name, Rule: "source-cycle",
				Message: fmt.Sprintf("sources depend on each other in a cycle (%s), so none can be looked up first; remove one of these references", strings.Join(cycle, " → "))})
			return 0
		case seen:
			return l
		}
		level[s.cfg.Name] = visiting
		l := 0
		for _, d := range s.deps {
			if dep, ok := byName[d]; ok {
				l = max(l, visit(dep, append(stack, s.cfg.Name))+1)
			}
		}
		level[s.cfg.Name] = l
		return l
	}
	for _, s := range mp.sources {
		if _, seen := level[s.cfg.Name]; !seen {
			visit(s, nil)
		}
	}
	sort.SliceStable(mp.sources, func(i, j int) bool {
		return level[mp.sources[i].cfg.Name] < level[mp.sources[j].cfg.Name]
	})
	for _, s := range mp.sources {
		l := max(level[s.cfg.Name], 0)
		for len(mp.levels) <= l {
			mp.levels = append(mp.levels, nil)
		}
		mp.levels[l] = append(mp.levels[l], s)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}

// project works out, for every source, which attributes the lookup must
// return: those the mapping's expressions read, plus the key attributes.
func (mp *Mapper) project(c *compiler) {
	for _, s := range mp.sources {
		u := c.usage[s.cfg.Name]
		if u != nil && u.whole {
			continue
		}
		attrs := map[string]bool{}
		if u != nil {
			for a := range u.attrs {
				attrs[a] = true
			}
		}
		for _, k := range s.key {
			attrs[k.attr] = true
		}
		if s.cfg.Query != nil {
			attrs[s.partition.attr] = true
			if s.sortPrefix != nil {
				attrs[s.sortPrefix.attr] = true
			}
		}
		s.projection = make([]string, 0, len(attrs))
		for a := range attrs {
			s.projection = append(s.projection, a)
		}
		sort.Strings(s.projection)
	}
}

// compiler compiles expressions against one environment and collects findings.
type compiler struct {
	cfg      *config.Mapping
	env      map[string]any
	names    []string // variable names, for suggestions
	findings []config.Finding
	// usage records, per source, what expressions read of it.
	usage map[string]*usage
	// refs records, per expression, the sources it names.
	refs map[*config.Expr][]string
	// reads records, per expression, the attributes it reads of sources.
	reads map[*config.Expr][]AttrRead
	// unbounded leaves the evaluation budget out (benchmarks only).
	unbounded bool
	// limits are those the Mapper runs under: the checks made at compile
	// time refuse what they make certain to fail.
	limits *Limits
	// confs are the expr configurations, for values and for conditions.
	confs map[bool]*conf.Config
	// patterns are the quoted patterns, compiled once.
	patterns map[string]*pattern
	// nonFinite marks the expressions that are a NaN or an infinity
	// whatever the event.
	nonFinite map[*config.Expr]bool
	// quoted holds the quoted texts an expression may give, for the
	// expressions given an entry before they compile (groups:).
	quoted map[*config.Expr][]quotedResult
}

func newCompiler(m *config.Mapping) *compiler {
	c := &compiler{cfg: m, env: map[string]any{"event": &Event{}, budgetVar: (*budget)(nil)}, names: []string{"event"},
		usage: map[string]*usage{}, refs: map[*config.Expr][]string{}, reads: map[*config.Expr][]AttrRead{},
		confs: map[bool]*conf.Config{}, patterns: map[string]*pattern{}, nonFinite: map[*config.Expr]bool{},
		quoted: map[*config.Expr][]quotedResult{}}
	for _, s := range m.Sources {
		if _, fn := builtin.Index[s.Name]; fn || s.Name == budgetVar {
			// A variable of that name would hide the function from every
			// expression; expressions compile as if the source were not there.
			c.add(config.Finding{Pos: s.Pos, Path: "sources." + s.Name, Rule: "source-name",
				Message: fmt.Sprintf("source name %q is the name of an expression function (%s(...)), which a source of that name would hide from every expression; choose another name, e.g. %q", s.Name, s.Name, s.Name+"Row")})
			continue
		}
		if s.IsQuery() {
			c.env[s.Name] = []any{}
		} else {
			c.env[s.Name] = map[string]any{}
		}
		c.names = append(c.names, s.Name)
	}
	return c
}

func (c *compiler) add(f config.Finding) {
	f.File = c.cfg.File
	c.findings = append(c.findings, f)
}

func (c *compiler) compile(e *config.Expr, asBool bool) *vm.Program {
	if e == nil {
		return nil
	}
	prog, err := c.compileExpr(e, asBool)
	if err != nil {
		if err != errReported {
			c.exprError(e, err)
		}
		return nil
	}
	return prog
}

func (c *compiler) exprError(e *config.Expr, err error) {
	f := config.Finding{Pos: e.Pos, Path: e.Path}
	msg := err.Error()
	var fe *file.Error
	if errors.As(err, &fe) {
		f.Pos = e.PosAt(fe.Line, fe.Column)
		msg = fe.Message
		f.Snippet = fe.Snippet
	}
	f.Message, f.Rule = explain(msg, c.names, e.Code)
	if e.CutByComment {
		f.Message += `; note that YAML reads " #" as the start of a comment, so this expression was cut there: put the whole expression in single quotes`
	}
	c.add(f)
}

// sourceRefs lists the other sources that s's key, query or when names.
func (c *compiler) sourceRefs(s *config.Source) []string {
	var exprs []*config.Expr
	for _, kv := range s.Key {
		exprs = append(exprs, kv.Value)
	}
	if q := s.Query; q != nil {
		exprs = append(exprs, q.Partition.Value)
		if q.SortBeginsWith != nil {
			exprs = append(exprs, q.SortBeginsWith.Value)
		}
	}
	exprs = append(exprs, s.When)
	seen := map[string]bool{}
	var out []string
	for _, e := range exprs {
		for _, r := range c.refs[e] {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

// measureConst measures a claim's constant, once.
func (cl *claim) measureConst(lim *Limits) {
	cl.constSize, cl.constErr = 0, nil
	if cl.cfg.Const != nil {
		cl.constSize, cl.constErr = valueSize(cl.constant, lim)
	}
}

// constant gives a claim's const: its meaning (see dynval.Const) and checks
// what V1 does to it.
func (c *compiler) constant(cl *config.Claim) any {
	if cl.Const == nil {
		return nil
	}
	path := claimPath(cl.Name) + ".const"
	v, err := dynval.Const(cl.Const)
	if err != nil {
		f := config.Finding{Pos: cl.Const.Pos, Path: path, Rule: "const-value", Message: err.Error()}
		if ve, ok := err.(*yamlnode.ValueError); ok {
			f.Message = ve.Msg
		}
		c.add(f)
		return nil
	}
	if v == nil {
		c.add(config.Finding{Pos: cl.Const.Pos, Path: path, Severity: config.SevWarning, Rule: "const-value",
			Message: "a claim whose value is null is left out of the tokens, so this claim never appears; remove it, or quote the value for text"})
	}
	if _, text := v.(string); c.cfg.TriggerVersion == "V1_0" && v != nil && !text {
		s, _ := dynval.Text(v)
		c.add(config.Finding{Pos: cl.Pos, Path: path, Severity: config.SevWarning, Rule: "v1-text",
			Message: fmt.Sprintf("V1_0 triggers can only add text claims, so this value becomes the text '%s' in the token; quote it to say you mean text, or set triggerVersion: V2_0 to keep its type", s)})
	}
	return v
}
