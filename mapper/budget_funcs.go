package mapper

import (
	"fmt"
	"reflect"
	"regexp"
	"regexp/syntax"
	goruntime "runtime"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/vm/runtime"

	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

// The functions the compiler calls in place of, or around, the operations
// whose cost grows with their inputs (budget_patch.go decides where, cost.go
// says how much). Each takes the event's budget first, charges it before
// doing the work, and otherwise leaves the work to expr's own
// implementation, so that results stay expr's.
var budgetFuncs = func() []expr.Option {
	fns := map[string]func(b *budget, args []any) (any, error){
		"$tick":       fnTick,
		"$iter":       fnIter,
		"$size":       fnSize,
		"$add":        fnAdd,
		"$range":      fnRange,
		"$matches":    fnMatches,
		"$in":         fnIn,
		"$key":        fnKey,
		"$contains":   textOp("contains", strings.Contains),
		"$startsWith": textOp("startsWith", strings.HasPrefix),
		"$endsWith":   textOp("endsWith", strings.HasSuffix),
		"$==":         compareOp(runtime.Equal),
		"$!=":         compareOp(func(a, b any) bool { return !runtime.Equal(a, b) }),
		"$<":          compareOp(runtime.Less),
		"$>":          compareOp(runtime.More),
		"$<=":         compareOp(runtime.LessOrEqual),
		"$>=":         compareOp(runtime.MoreOrEqual),
	}
	for name, c := range builtinCosts {
		if c.charge == nil {
			continue
		}
		f := builtin.Builtins[builtin.Index[name]]
		fns["$"+name] = func(b *budget, args []any) (any, error) {
			for i, a := range args {
				args[i] = derefArg(a)
			}
			if err := c.charge(b, args); err != nil {
				return nil, err
			}
			if c.run != nil {
				return c.run(b, args)
			}
			return callPlain(name, f, args)
		}
	}
	var opts []expr.Option
	for name, fn := range fns {
		opts = append(opts, expr.Function(name, func(params ...any) (any, error) {
			b, _ := params[0].(*budget)
			if b == nil {
				return nil, fmt.Errorf("%s: no budget", name)
			}
			return fn(b, params[1:])
		}, new(budgetFunc)))
	}
	return opts
}()

// budgetFunc is the type every budget function is declared with.
type budgetFunc func(*budget, ...any) any

// measure measures v against what is left of the event's bytes.
func (b *budget) measure(v any) (meter, error) {
	if err := b.charge(1); err != nil {
		return meter{}, err
	}
	m, ok := measure(v, b.bytes, b.lim)
	// Measuring walks what it measures.
	if err := b.charge(m.leaves + m.size/bytesPerUnit); err != nil {
		return m, err
	}
	switch {
	case ok:
		return m, nil
	case m.deep:
		// A property of one value, not of the event: nothing else fails for it.
		return m, limitErr("depth", "lists and objects may nest at most %d levels deep", b.lim.Depth)
	}
	return m, b.alloc(-1)
}

// fnTick runs at every step of every loop: it is how a loop notices that
// the event ran out of time. The steps themselves are charged by fnIter;
// fnTick charges what a long body does beyond one unit.
func fnTick(b *budget, args []any) (any, error) {
	if w := toInt(args[0]); w > 0 {
		if err := b.charge(w); err != nil {
			return nil, err
		}
	}
	return true, b.poll()
}

// Loop kinds, fnIter's second argument.
const (
	iterVisit = iota // the loop makes nothing the size of its list
	iterMake         // it makes a list or object of up to one element per element
	iterSort         // it makes a sorted list
)

// fnIter charges a loop for every element it may visit, before it starts,
// and for what it makes of them.
func fnIter(b *budget, args []any) (any, error) {
	switch args[0].(type) {
	case bool, int, int64, float64, string:
		return nil, fmt.Errorf("a loop needs a list, not a %s", dynval.Kind(args[0]))
	}
	n := lengthOf(args[0])
	work, perElem := n, toInt(args[2])
	if toInt(args[1]) == iterSort {
		work *= log2(n)
	}
	if err := b.charge(work + 1); err != nil {
		return nil, err
	}
	if perElem > 0 {
		if n > b.bytes/perElem {
			return nil, b.alloc(-1)
		}
		if err := b.alloc(n * perElem); err != nil {
			return nil, err
		}
	}
	return args[0], nil
}

// fnSize charges a value an operation has just produced.
func fnSize(b *budget, args []any) (any, error) {
	return args[0], b.alloc(shallowSize(args[0]))
}

// fnAdd is +: joining text is charged before it happens; numbers, dates
// and durations are added by expr.
func fnAdd(b *budget, args []any) (any, error) {
	if x, ok := args[0].(string); ok {
		if y, ok := args[1].(string); ok {
			if err := b.alloc(len(x) + len(y)); err != nil {
				return nil, err
			}
			return x + y, nil
		}
	}
	if err := b.charge(1); err != nil {
		return nil, err
	}
	return addPlain(args[0], args[1])
}

// addPlain is expr's + on what is not two texts. Its panic on kinds it
// cannot add is said in words, except when one side is null: expr's
// message then (invalid operation: <nil> + string) is what lint's
// sample-user check reads to explain a missing attribute.
func addPlain(x, y any) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			if x == nil || y == nil {
				panic(r)
			}
			out, err = nil, fmt.Errorf("+ cannot add a %s and a %s", dynval.Kind(x), dynval.Kind(y))
		}
	}()
	return runtime.Add(x, y), nil
}

// fnRange is a..b, charged before the list of numbers is made.
func fnRange(b *budget, args []any) (any, error) {
	lo, hi := runtime.ToInt(args[0]), runtime.ToInt(args[1])
	if hi >= lo {
		n := uint64(hi) - uint64(lo) + 1
		if n == 0 || n > uint64(b.bytes/8) {
			return nil, b.alloc(-1)
		}
		if err := b.alloc(int(n) * 8); err != nil {
			return nil, err
		}
	}
	return runtime.MakeRange(lo, hi), nil
}

// sizeOf is what reading v once costs, in bytes: a text its length, a
// list or object 16 bytes per element plus what the elements hold, up to
// limit (past it, the caller is over budget anyway).
func sizeOf(v any, limit int) int {
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return 8
	case string:
		return len(x)
	}
	m := meter{limit: limit, maxDepth: defaultLimits.Depth}
	m.walk(v, 0)
	return m.size
}

// compareOp charges a comparison what reading the smaller side costs.
func compareOp(op func(a, b any) bool) func(b *budget, args []any) (any, error) {
	return func(b *budget, args []any) (any, error) {
		x, y := args[0], args[1]
		if err := b.charge(scan(compareSize(x, y, b.work*bytesPerUnit))); err != nil {
			return nil, err
		}
		return op(x, y), nil
	}
}

// compareSize is the size of the smaller of x and y, or more than bound:
// what comparing them reads, since expr's == stops at the first difference
// (at once for lists and objects of different lengths) and < reads no
// further than the shorter text. Measuring each side in full would read
// the longer one, uncharged: a list of a hundred thousand numbers compared
// with [#] in a loop walked them all at every step for one unit of work.
// Two lists or objects of different lengths are told apart at once; else
// both are measured up to a limit that doubles until one side fits, from
// one that neither side can be under (8 bytes an element, when both are
// lists or objects of that length), so the measuring reads a few times
// the smaller side, whatever the other.
func compareSize(x, y any, bound int) int {
	nx, okx := collectionLen(x)
	ny, oky := collectionLen(y)
	start := 4 * bytesPerUnit
	switch {
	case okx && oky && nx != ny:
		return 0
	case okx && oky:
		start = max(start, 8*nx)
	}
	for limit := min(start, bound); ; limit = min(2*limit, bound) {
		sx, sy := sizeOf(x, limit), sizeOf(y, limit)
		if sx <= limit || sy <= limit || limit >= bound {
			return min(sx, sy)
		}
	}
}

// collectionLen is the length of a list or an object, and whether v is one.
func collectionLen(v any) (int, bool) {
	switch x := v.(type) {
	case []any:
		return len(x), true
	case map[string]any:
		return len(x), true
	case nil, string, bool, int, int64, float64:
		return 0, false
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return rv.Len(), true
	}
	return 0, false
}

// fnIn is `in`: a list is searched element by element, each compared with
// the needle; an object is looked up by the needle.
func fnIn(b *budget, args []any) (any, error) {
	needle, list := args[0], args[1]
	bound := b.work * bytesPerUnit
	n := scan(sizeOf(needle, bound))
	if k := reflect.ValueOf(list).Kind(); k == reflect.Slice || k == reflect.Array {
		n *= lengthOf(list) + 1
	}
	if err := b.charge(n); err != nil {
		return nil, err
	}
	return inPlain(needle, list)
}

// inPlain is expr's in, its panic on what cannot be searched said in words.
func inPlain(needle, list any) (out any, err error) {
	defer func() {
		if recover() != nil {
			out, err = nil, fmt.Errorf("in needs a list or an object on its right, not a %s", dynval.Kind(list))
		}
	}()
	return runtime.In(needle, list), nil
}

// fnKey charges a computed key (user[name]) its hashing.
func fnKey(b *budget, args []any) (any, error) {
	return args[0], b.charge(scan(textLen(args[0])))
}

// textOp is contains, startsWith or endsWith, charged both texts.
func textOp(name string, op func(s, sub string) bool) func(b *budget, args []any) (any, error) {
	return func(b *budget, args []any) (any, error) {
		x, y := args[0], args[1]
		if runtime.IsNil(x) || runtime.IsNil(y) {
			return false, nil
		}
		s, ok1 := x.(string)
		sub, ok2 := y.(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%s needs text on both sides, not a %s and a %s", name, dynval.Kind(x), dynval.Kind(y))
		}
		if err := b.charge(scan(len(s) + len(sub))); err != nil {
			return nil, err
		}
		return op(s, sub), nil
	}
}

// pattern is a compiled regular expression and its program's size, which
// times the text's length bounds the work of matching.
type pattern struct {
	re    *regexp.Regexp
	insts int
}

// compilePattern compiles p once its size is known to be within the limits.
func compilePattern(p string, lim *Limits) (*pattern, error) {
	parsed, _, err := checkPattern(p, lim)
	if err != nil {
		return nil, err
	}
	return compileChecked(p, parsed)
}

// compileChecked compiles p, which checkPattern parsed and bounded.
func compileChecked(p string, parsed *syntax.Regexp) (*pattern, error) {
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, err
	}
	return &pattern{re: re, insts: len(prog.Inst)}, nil
}

// instsPerUnit is how many pattern instructions times text bytes count as
// one unit: Go's matcher is linear, in the text's length times the
// pattern's program.
const instsPerUnit = 8

// fnMatches is `matches`: a quoted pattern was compiled when the mapping
// loaded; one computed when the event runs is bounded before it is
// compiled. Either way, matching is charged the text's length times the
// pattern's size before it runs.
func fnMatches(b *budget, args []any) (any, error) {
	text, pat := args[0], args[1]
	if runtime.IsNil(text) || runtime.IsNil(pat) {
		return false, nil
	}
	p, ok := pat.(string)
	if !ok {
		return nil, fmt.Errorf("a pattern must be text, not a %s", dynval.Kind(pat))
	}
	var s string
	switch t := text.(type) {
	case string:
		s = t
	case []byte:
		s = string(t)
	default:
		return nil, fmt.Errorf("matches needs text, not a %s", dynval.Kind(text))
	}
	compiled := b.patterns[p]
	if compiled == nil {
		if err := b.charge(scan(len(p))); err != nil {
			return nil, err
		}
		parsed, size, err := checkPattern(p, b.lim)
		if err != nil {
			return nil, err
		}
		// A compiled pattern costs a kilobyte or so, and more with its size.
		if err := b.alloc(1024 + 64*size); err != nil {
			return nil, err
		}
		if compiled, err = compileChecked(p, parsed); err != nil {
			return nil, err
		}
	}
	if len(s) > 0 && compiled.insts > (b.work*instsPerUnit)/len(s) {
		return nil, b.charge(-1)
	}
	if err := b.charge((len(s)+1)*compiled.insts/instsPerUnit + 1); err != nil {
		return nil, err
	}
	return compiled.re.MatchString(s), nil
}

// checkPattern bounds a regular expression before it is compiled: its
// length, and its size once repetitions are expanded, which is what
// compiling it costs. It returns the parsed pattern and that size.
func checkPattern(p string, lim *Limits) (*syntax.Regexp, int, error) {
	if len(p) > lim.Pattern {
		return nil, 0, limitErr("pattern", "a pattern computed when the sign-in runs may be at most %d characters long", lim.Pattern)
	}
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return nil, 0, err
	}
	size := patternSize(re, lim.PatternSize)
	if size > lim.PatternSize {
		return nil, 0, limitErr("pattern", "a pattern may expand to at most %d steps once its repetitions are counted", lim.PatternSize)
	}
	return re, size, nil
}

// patternSize is the size of re with its repetitions expanded, or more than
// limit once it passes it.
func patternSize(re *syntax.Regexp, limit int) int {
	n := 1
	for _, sub := range re.Sub {
		n += patternSize(sub, limit)
		if n > limit {
			return n
		}
	}
	if re.Op == syntax.OpRepeat {
		times := max(re.Max, re.Min, 1)
		if n > limit/times {
			return limit + 1
		}
		n *= times
	}
	return n
}

// callPlain runs one of expr's builtins, saying in words what a builtin
// given the wrong kind of value panics about in Go's (interface
// conversion: interface {} is int64, not string).
func callPlain(name string, f *builtin.Function, args []any) (out any, err error) {
	wrongKinds := func() error {
		kinds := make([]string, len(args))
		for i, a := range args {
			kinds[i] = "a " + dynval.Kind(a)
		}
		return fmt.Errorf("%s cannot take %s", name, strings.Join(kinds, " and "))
	}
	defer func() {
		switch r := recover().(type) {
		case nil:
		case goruntime.Error:
			// A type assertion on an argument of the wrong kind.
			out, err = nil, wrongKinds()
		default:
			// expr's own message (invalid operation: int(x)), as the VM
			// would have reported it.
			out, err = nil, fmt.Errorf("%v", r)
		}
	}()
	out, err = callBuiltin(f, args)
	if err != nil && goTypeNames.MatchString(err.Error()) {
		// "cannot get keys from int64": the same mistake, in Go's words.
		err = wrongKinds()
	}
	return out, err
}

// goTypeNames finds Go's names of kinds in an error's text.
var goTypeNames = regexp.MustCompile(`\b(u?int(8|16|32|64)|float(32|64)|interface \{\}|map\[|\[\]|reflect\.|struct \{)`)

// callBuiltin runs one of expr's builtins as the VM would.
func callBuiltin(f *builtin.Function, args []any) (any, error) {
	switch {
	case f.Fast != nil:
		return f.Fast(args[0]), nil
	case f.Safe != nil:
		v, _, err := f.Safe(args...)
		return v, err
	}
	return f.Func(args...)
}

// derefArg does what the VM does to a builtin's argument: a pointer is
// followed (string(event) writes the event, not its address).
func derefArg(v any) any {
	if v == nil || reflect.TypeOf(v).Kind() != reflect.Pointer {
		return v
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Pointer {
		return nil
	}
	return rv.Interface()
}

// toInt reads a count argument; anything that is not a number reads as 0
// and the builtin reports the mistake itself.
func toInt(v any) int {
	switch x := v.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case float64:
		return int(x)
	}
	return 0
}
