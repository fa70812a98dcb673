package mapper

import (
	"fmt"
	"reflect"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/vm/runtime"
)

// The functions the compiler calls in place of, or around, the operations
// that loop or produce text (budget_patch.go decides where). Each takes the
// event's budget first, charges it before doing the work where the work can
// be large, and otherwise leaves the work to expr's own implementation, so
// that results and error messages stay expr's.
var budgetFuncs = func() []expr.Option {
	fns := map[string]func(b *budget, args []any) (any, error){
		"$tick":    fnTick,
		"$iter":    fnIter,
		"$size":    fnSize,
		"$add":     fnAdd,
		"$range":   fnRange,
		"$matches": fnMatches,
	}
	for name, guard := range guardedBuiltins {
		f := builtin.Builtins[builtin.Index[name]]
		fns["$"+name] = func(b *budget, args []any) (any, error) {
			for i, a := range args {
				args[i] = derefArg(a)
			}
			if err := guard(b, args); err != nil {
				return nil, err
			}
			return callBuiltin(f, args)
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
		}, new(func(*budget, ...any) any)))
	}
	return opts
}()

// guardedBuiltins are expr's builtins whose work or output can be far
// larger than their arguments: each has a guard that charges the budget
// for what the builtin is about to do, from its arguments, before it runs.
var guardedBuiltins = map[string]func(b *budget, args []any) error{
	"repeat": func(b *budget, args []any) error {
		s, ok := args[0].(string)
		n := toInt(args[1])
		if !ok || n <= 0 || len(s) == 0 {
			return nil
		}
		if n > b.bytes/len(s) {
			return b.alloc(-1)
		}
		return b.alloc(len(s) * n)
	},
	"join": func(b *budget, args []any) error {
		glue := ""
		if len(args) == 2 {
			glue, _ = args[1].(string)
		}
		n := 0
		add := func(s string) { n += len(s) + len(glue) + 16 }
		switch x := args[0].(type) {
		case []string:
			for _, s := range x {
				add(s)
			}
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					add(s)
				}
			}
		}
		return b.alloc(n)
	},
	"replace": func(b *budget, args []any) error {
		s, ok1 := args[0].(string)
		old, ok2 := args[1].(string)
		repl, ok3 := args[2].(string)
		if !ok1 || !ok2 || !ok3 || len(repl) <= len(old) {
			return b.alloc(len(s))
		}
		count := strings.Count(s, old)
		if len(args) == 4 {
			if n := toInt(args[3]); n >= 0 && n < count {
				count = n
			}
		}
		if count > 0 && len(repl)-len(old) > (b.bytes-len(s))/count {
			return b.alloc(-1)
		}
		return b.alloc(len(s) + count*(len(repl)-len(old)))
	},
	"split":      guardSplit,
	"splitAfter": guardSplit,
	"toJSON":     guardWrite,
	"string":     guardWrite,
	"flatten": func(b *budget, args []any) error {
		m, err := b.measure(args[0])
		if err != nil {
			return err
		}
		return b.alloc(16 * m.leaves)
	},
	"concat": func(b *budget, args []any) error {
		n := 0
		for _, a := range args {
			n += lengthOf(a)
		}
		return b.alloc(16 * n)
	},
	"fromJSON": func(b *budget, args []any) error {
		s, _ := args[0].(string)
		if len(s) > b.bytes/16 {
			return b.alloc(-1)
		}
		return b.alloc(16 * len(s))
	},
	"uniq": func(b *budget, args []any) error {
		// uniq compares each element with those kept so far.
		n := lengthOf(args[0])
		if n > 1<<16 {
			return b.step(b.steps + 1)
		}
		if err := b.step(n + n*n/16); err != nil {
			return err
		}
		return b.alloc(16 * n)
	},
	"max":    guardAggregate,
	"min":    guardAggregate,
	"mean":   guardAggregate,
	"median": guardAggregate,
}

// guardSplit charges the list split is about to make.
func guardSplit(b *budget, args []any) error {
	s, ok1 := args[0].(string)
	sep, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return nil
	}
	n := 1
	if sep == "" {
		n = utf8.RuneCountInString(s)
	} else {
		n += strings.Count(s, sep)
	}
	if len(args) == 3 {
		if lim := toInt(args[2]); lim > 0 && lim < n {
			n = lim
		}
	}
	return b.alloc(16 * n)
}

// guardWrite charges the text toJSON or string is about to write, measured
// before it is written: a list that holds a list many times would
// otherwise write gigabytes from a few hundred elements.
func guardWrite(b *budget, args []any) error {
	m, err := b.measure(args[0])
	if err != nil {
		return err
	}
	return b.alloc(m.size)
}

// guardAggregate charges max, min, mean and median, which walk nested lists.
func guardAggregate(b *budget, args []any) error {
	m, err := b.measure(args)
	if err != nil {
		return err
	}
	if err := b.step(m.leaves); err != nil {
		return err
	}
	return b.alloc(8 * m.leaves)
}

// measure measures v against what is left of the event's bytes.
func (b *budget) measure(v any) (meter, error) {
	if err := b.poll(); err != nil {
		return meter{}, err
	}
	m, ok := measure(v, b.bytes, b.lim)
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
// the event ran out of time. The steps themselves are charged by fnIter.
func fnTick(b *budget, _ []any) (any, error) {
	return true, b.poll()
}

// fnIter charges a loop for every element it may visit, before it starts.
func fnIter(b *budget, args []any) (any, error) {
	return args[0], b.step(lengthOf(args[0]))
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
	return runtime.Add(args[0], args[1]), nil
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

// fnMatches is `matches` with a pattern computed when the event runs: the
// pattern is bounded before it is compiled. (A quoted pattern is compiled
// once, when the mapping loads, and checked there.)
func fnMatches(b *budget, args []any) (any, error) {
	text, pattern := args[0], args[1]
	if runtime.IsNil(text) || runtime.IsNil(pattern) {
		return false, nil
	}
	p, ok := pattern.(string)
	if !ok {
		return nil, fmt.Errorf("a pattern must be text, not a %s", kind(pattern))
	}
	size, err := checkPattern(p, b.lim)
	if err != nil {
		return nil, err
	}
	// A compiled pattern costs a kilobyte or so, and more with its size.
	if err := b.alloc(1024 + 64*size); err != nil {
		return nil, err
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, err
	}
	switch t := text.(type) {
	case string:
		return re.MatchString(t), nil
	case []byte:
		return re.Match(t), nil
	}
	return nil, fmt.Errorf("matches needs text, not a %s", kind(text))
}

// checkPattern bounds a regular expression before it is compiled: its
// length, and its size once repetitions are expanded, which is what
// compiling it costs. It returns that size.
func checkPattern(p string, lim *Limits) (int, error) {
	if len(p) > lim.Pattern {
		return 0, limitErr("pattern", "a pattern computed when the sign-in runs may be at most %d characters long", lim.Pattern)
	}
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return 0, err
	}
	size := patternSize(re, lim.PatternSize)
	if size > lim.PatternSize {
		return 0, limitErr("pattern", "a pattern may expand to at most %d steps once its repetitions are counted", lim.PatternSize)
	}
	return size, nil
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
