package mapper

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math/bits"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/builtin"

	"github.com/claimsmapper/claimsmapper/internal/dynval"
)

// The cost model: every operator and builtin an expression can reach has an
// entry here, and an operation without one does not compile (precheck
// reports it, rule "no-cost"). TestEveryOperationHasACost enumerates expr's
// builtin table and its parser's operators and fails on any without an
// entry, so a new expr release cannot bring in an operation that runs free.
//
// Costs are in units of work (Limits.Work): about one loop step, one element
// visited or compared, or bytesPerUnit bytes scanned or produced. An entry
// is one of:
//
//   - fixed: the work does not grow with the inputs (a number's
//     arithmetic, a field read). Outside loops an expression runs each of
//     its operations at most once, so these are bounded by its length; in a
//     loop each step is charged as a unit.
//   - charged: a function the compiler calls in place of the operation
//     charges the budget from the sizes of the inputs, before the work.
//   - loop: the builtin visits its first argument's elements, charged as
//     one unit each before it starts, and checks the time at each step.
//
// The kinds of node (nodeCosts) and the methods of values (methodCosts,
// only those of dates and durations) have entries too, in budget_patch.go.
//
// TestCostsAreHonest measures the wall time per unit and the bytes
// allocated per charged byte of each charged operation over inputs of
// growing size, so an entry that undercharges fails the build.

// bytesPerUnit is how many bytes of text scanned or produced count as one
// unit of work: copying or comparing them takes about as long as a loop step.
const bytesPerUnit = 64

// scan is the work of reading n bytes, at least one unit: a call costs
// something whatever its input.
func scan(n int) int { return n/bytesPerUnit + 1 }

// builtinCost is one builtin's entry.
type builtinCost struct {
	// fixed: the work does not grow with the inputs.
	fixed bool
	// loop: the builtin runs its predicate over its first argument's
	// elements; perElem is the bytes per element of the list or object it
	// makes, and sorts says it sorts them (n log n comparisons).
	loop    bool
	perElem int
	sorts   bool
	// charge charges the budget from the arguments before the builtin runs.
	charge func(b *budget, args []any) error
	// run replaces expr's implementation (a location loaded once, not at
	// every call); nil runs expr's own.
	run func(b *budget, args []any) (any, error)
}

// builtinCosts is the entry of each of expr's builtins.
var builtinCosts = map[string]builtinCost{
	"all": {loop: true}, "none": {loop: true}, "any": {loop: true}, "one": {loop: true},
	"find": {loop: true}, "findIndex": {loop: true}, "findLast": {loop: true}, "findLastIndex": {loop: true},
	"count": {loop: true}, "sum": {loop: true}, "reduce": {loop: true},
	"filter":  {loop: true, perElem: 16},
	"map":     {loop: true, perElem: 16},
	"groupBy": {loop: true, perElem: 64},
	"sortBy":  {loop: true, perElem: 16, sorts: true},

	// type names the event an object, not by its Go type.
	"type": {charge: chargeNothing, run: runType},
	"abs":  {fixed: true}, "ceil": {fixed: true}, "floor": {fixed: true}, "round": {fixed: true},
	"now": {fixed: true}, "first": {fixed: true}, "last": {fixed: true},
	"bitand": {fixed: true}, "bitor": {fixed: true}, "bitxor": {fixed: true}, "bitnand": {fixed: true},
	"bitnot": {fixed: true}, "bitshl": {fixed: true}, "bitshr": {fixed: true}, "bitushr": {fixed: true},

	// len counts a text's characters; a list's length is at hand.
	"len":         {charge: chargeText},
	"int":         {charge: chargeText},
	"float":       {charge: chargeText},
	"get":         {charge: chargeText},
	"trim":        {charge: chargeTrim},
	"trimPrefix":  {charge: chargeText},
	"trimSuffix":  {charge: chargeText},
	"upper":       {charge: chargeCopy},
	"lower":       {charge: chargeCopy},
	"indexOf":     {charge: chargeSearch},
	"lastIndexOf": {charge: chargeSearch},
	"hasPrefix":   {charge: chargeText},
	"hasSuffix":   {charge: chargeText},
	"duration":    {charge: chargeText},
	"toBase64": {charge: func(b *budget, args []any) error {
		return chargeMade(b, args, base64.StdEncoding.EncodedLen(textLen(args[0])))
	}},
	"fromBase64": {charge: func(b *budget, args []any) error {
		return chargeMade(b, args, base64.StdEncoding.DecodedLen(textLen(args[0])))
	}},
	"date":     {charge: chargeDate, run: runDate},
	"timezone": {charge: chargeDate, run: runTimezone},

	"repeat":     {charge: chargeRepeat},
	"join":       {charge: chargeJoin},
	"replace":    {charge: chargeReplace},
	"split":      {charge: chargeSplit},
	"splitAfter": {charge: chargeSplit},
	"toJSON":     {charge: chargeWrite(4), run: runToJSON},
	"string":     {charge: chargeWrite(1), run: runString},
	"fromJSON":   {charge: chargeFromJSON},
	"flatten":    {charge: chargeFlatten},
	"concat":     {charge: chargeConcat},
	"uniq":       {charge: chargeUniq},
	"max":        {charge: chargeAggregate},
	"min":        {charge: chargeAggregate},
	"mean":       {charge: chargeAggregate},
	"median":     {charge: chargeAggregate},
	"sort":       {charge: chargeSort},
	"take": {charge: func(b *budget, args []any) error {
		n := lengthOf(args[0])
		if len(args) > 1 {
			n = max(min(n, toInt(args[1])), 0)
		}
		return chargeElems(b, n, 16)
	}},
	"keys":      {charge: chargeList(16)},
	"values":    {charge: chargeList(16)},
	"reverse":   {charge: chargeList(16)},
	"toPairs":   {charge: chargeList(64)},
	"fromPairs": {charge: chargeFromPairs},
}

// operatorCost is one operator's entry: how the compiler treats it.
type operatorCost int

const (
	// opFixed: numbers, booleans, ?? and the like.
	opFixed operatorCost = iota
	// opCompare: equality and order. Comparing two texts or two lists
	// reads them; when one side is a quoted value, that bounds it.
	opCompare
	// opText: contains, startsWith, endsWith, charged the texts' length.
	opText
	// opIn: the list's elements, each compared with the needle.
	opIn
	// opMatches: the pattern's size times the text's length, quoted or not.
	opMatches
	// opAdd: + on texts charges the text it makes.
	opAdd
	// opRange: a..b charges the list it makes.
	opRange
)

// operatorCosts is the entry of each operator expr's parser accepts.
var operatorCosts = map[string]operatorCost{
	// The pipe is rewritten by the parser into a call of the builtin on
	// its right, which has its own entry.
	"|":  opFixed,
	"or": opFixed, "||": opFixed, "and": opFixed, "&&": opFixed, "??": opFixed,
	"-": opFixed, "*": opFixed, "/": opFixed, "%": opFixed, "**": opFixed, "^": opFixed,
	"not": opFixed, "!": opFixed,
	"==": opCompare, "!=": opCompare, "<": opCompare, ">": opCompare, "<=": opCompare, ">=": opCompare,
	"contains": opText, "startsWith": opText, "endsWith": opText,
	"in":      opIn,
	"matches": opMatches,
	"+":       opAdd,
	"..":      opRange,
}

// unaryCosts is the entry of each unary operator: all work on one number or
// boolean.
var unaryCosts = map[string]operatorCost{"not": opFixed, "!": opFixed, "-": opFixed, "+": opFixed}

// textLen is the length of a text argument, 0 for anything else (the
// builtin then reports the mistake itself).
func textLen(v any) int {
	s, _ := v.(string)
	return len(s)
}

// chargeNothing is an entry whose work is fixed but whose result the
// mapper makes itself (run).
func chargeNothing(*budget, []any) error { return nil }

// runType is type(v), except that a value of the mapper's own (the event)
// is a "map", as authors see it, and never the name of a Go type.
func runType(_ *budget, args []any) (any, error) {
	rv := reflect.ValueOf(args[0])
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct && rv.Type().PkgPath() != "time" {
		return "map", nil
	}
	// A date, a duration and a zone by the names the docs give them, not
	// Go's (time.Time).
	switch rv.Type() {
	case reflect.TypeFor[time.Time]():
		return "date", nil
	case reflect.TypeFor[time.Duration]():
		return "duration", nil
	case reflect.TypeFor[time.Location]():
		return "time zone", nil
	}
	return callBuiltin(builtin.Builtins[builtin.Index["type"]], args)
}

// chargeText charges the bytes of every text argument.
func chargeText(b *budget, args []any) error {
	n := 0
	for _, a := range args {
		n += textLen(a)
	}
	return b.charge(scan(n))
}

func chargeTrim(b *budget, args []any) error {
	n := textLen(args[0])
	if len(args) > 1 {
		// A cutset that is not ASCII is searched rune by rune.
		cut := textLen(args[1])
		n = n*(1+cut/4) + cut
	}
	return b.charge(scan(n))
}

// chargeSearch is indexOf: the search, and counting the characters before
// what it found.
func chargeSearch(b *budget, args []any) error {
	n := 0
	for _, a := range args {
		n += textLen(a)
	}
	return b.charge(scan(2 * n))
}

// chargeCopy charges a builtin that makes a text as long as its first.
func chargeCopy(b *budget, args []any) error {
	return chargeMade(b, args, textLen(args[0]))
}

// chargeMade charges reading the text arguments and making n bytes.
func chargeMade(b *budget, args []any, n int) error {
	if err := chargeText(b, args); err != nil {
		return err
	}
	return b.alloc(n)
}

// chargeElems charges visiting n elements and making size bytes for each.
func chargeElems(b *budget, n, size int) error {
	if err := b.charge(n + 1); err != nil {
		return err
	}
	if n > b.bytes/max(size, 1) {
		return b.alloc(-1)
	}
	return b.alloc(n * size)
}

// chargeList charges a builtin that makes a list of its argument's length.
func chargeList(size int) func(b *budget, args []any) error {
	return func(b *budget, args []any) error { return chargeElems(b, lengthOf(args[0]), size) }
}

// chargeFromPairs charges the object fromPairs makes, and hashing each
// key: a pair's key may be a long text.
func chargeFromPairs(b *budget, args []any) error {
	n := 0
	if pairs, ok := args[0].([]any); ok {
		for _, p := range pairs {
			if pair, ok := p.([]any); ok && len(pair) > 0 {
				n += textLen(pair[0])
			}
		}
	}
	if err := b.charge(scan(n)); err != nil {
		return err
	}
	return chargeElems(b, lengthOf(args[0]), 64)
}

func chargeRepeat(b *budget, args []any) error {
	s, ok := args[0].(string)
	n := toInt(args[1])
	if !ok || n <= 0 || len(s) == 0 {
		return b.charge(1)
	}
	if n > b.bytes/len(s) {
		return b.alloc(-1)
	}
	return b.alloc(len(s) * n)
}

func chargeJoin(b *budget, args []any) error {
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
	if err := b.charge(lengthOf(args[0]) + 1); err != nil {
		return err
	}
	return b.alloc(n)
}

func chargeReplace(b *budget, args []any) error {
	s, ok1 := args[0].(string)
	old, ok2 := args[1].(string)
	repl, ok3 := args[2].(string)
	if err := chargeText(b, args); err != nil {
		return err
	}
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
}

// chargeSplit charges the list split is about to make.
func chargeSplit(b *budget, args []any) error {
	if err := chargeText(b, args); err != nil {
		return err
	}
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
	return chargeElems(b, n, 16)
}

// chargeWrite charges the text toJSON or string is about to write,
// measured before it is written: a list that holds a list many times would
// otherwise write gigabytes from a few hundred elements. slow is how many
// times slower than a copy the writing is, per byte.
func chargeWrite(slow int) func(b *budget, args []any) error {
	return func(b *budget, args []any) error {
		m, err := b.measure(args[0])
		if err != nil {
			return err
		}
		if err := b.charge(m.leaves + slow*m.size/bytesPerUnit + 1); err != nil {
			return err
		}
		return b.alloc(m.size)
	}
}

func chargeFromJSON(b *budget, args []any) error {
	n := textLen(args[0])
	if err := b.charge(scan(8 * n)); err != nil {
		return err
	}
	if n > b.bytes/16 {
		return b.alloc(-1)
	}
	return b.alloc(16 * n)
}

func chargeFlatten(b *budget, args []any) error {
	m, err := b.measure(args[0])
	if err != nil {
		return err
	}
	return chargeElems(b, m.leaves, 16)
}

func chargeConcat(b *budget, args []any) error {
	n := 0
	for _, a := range args {
		n += lengthOf(a)
	}
	return chargeElems(b, n, 16)
}

// chargeUniq: uniq compares each element with those kept so far.
func chargeUniq(b *budget, args []any) error {
	n := lengthOf(args[0])
	if n > 1<<16 {
		return b.charge(-1)
	}
	if err := b.charge(n + n*n/16); err != nil {
		return err
	}
	return b.alloc(16 * n)
}

// chargeAggregate charges max, min, mean and median, which walk nested
// lists (and median sorts what it found).
func chargeAggregate(b *budget, args []any) error {
	m, err := b.measure(args)
	if err != nil {
		return err
	}
	if err := b.charge(m.leaves*log2(m.leaves) + 1); err != nil {
		return err
	}
	return b.alloc(8 * m.leaves)
}

// chargeSort: n log n comparisons, each reading what it compares.
func chargeSort(b *budget, args []any) error {
	m, err := b.measure(args[0])
	if err != nil {
		return err
	}
	if err := b.charge((m.leaves + m.size/bytesPerUnit) * log2(m.leaves)); err != nil {
		return err
	}
	return b.alloc(16 * m.leaves)
}

func log2(n int) int { return bits.Len(uint(n)) + 1 }

// dateWork is what parsing a date or finding a time zone costs beyond its
// text: a location is loaded from the zone database once per name and then
// shared (locations), so the cost is the lookup.
const dateWork = 16

func chargeDate(b *budget, args []any) error {
	n := 0
	for _, a := range args {
		n += textLen(a)
	}
	return b.charge(dateWork + scan(n))
}

// zones caches the time zones expressions have named: loading one reads and
// parses a file of a few kilobytes, which a loop would otherwise do at every
// step, and keep. A name the database lacks is kept too (as nil), so that
// a mapping naming a bad zone does not read the disk at every call. At most
// maxLocations names are kept, of which at most maxMissing unknown ones:
// the database's six hundred or so zones always have room, whatever names
// the users' data holds. Looking up a name that is not in the cache is
// charged loadWork, what reading the disk for it costs.
//
// Every sign-in that reads a zone looks it up, on every core, so the table
// is read without a lock: it is never changed once published, and a new
// name publishes a copy (at most maxLocations copies, ever).
var zones struct {
	mu    sync.Mutex // held to publish a new table
	table atomic.Pointer[zoneTable]
}

// zoneTable is one published state of zones.
type zoneTable struct {
	byName  map[string]*time.Location // nil: no such zone
	missing int                       // the names kept as nil
}

const (
	maxLocations = 1024
	maxMissing   = 256
	loadWork     = 1000
	// maxZoneName is the longest name looked up: the database's longest
	// is about 30 characters.
	maxZoneName = 64
)

func location(b *budget, name string) (*time.Location, error) {
	if t := zones.table.Load(); t != nil {
		if loc, known := t.byName[name]; known {
			if loc == nil {
				return nil, fmt.Errorf("unknown time zone %q", name)
			}
			return loc, nil
		}
	}
	if err := b.charge(loadWork); err != nil {
		return nil, err
	}
	var loc *time.Location
	if len(name) <= maxZoneName && zoneNameClean(name) {
		loc, _ = time.LoadLocation(name)
		keepZone(name, loc)
	}
	if loc == nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}

// zoneNameClean reports whether name is written as the database writes
// its zones. The system's loader reads a file by its path, so it also finds
// America//New_York and ./America/New_York, names without end: given by
// users' data, they would fill the cache and leave the real zones outside
// it, read from the disk at every call. "" is UTC.
func zoneNameClean(name string) bool {
	return name == "" || path.Clean(name) == name
}

// keepZone publishes a table with name in it, if there is room.
func keepZone(name string, loc *time.Location) {
	zones.mu.Lock()
	defer zones.mu.Unlock()
	old := zones.table.Load()
	if old == nil {
		old = &zoneTable{}
	}
	if _, known := old.byName[name]; known || len(old.byName) >= maxLocations || loc == nil && old.missing >= maxMissing {
		return
	}
	t := &zoneTable{byName: make(map[string]*time.Location, len(old.byName)+1), missing: old.missing}
	maps.Copy(t.byName, old.byName)
	t.byName[name] = loc
	if loc == nil {
		t.missing++
	}
	zones.table.Store(t)
}

func runTimezone(b *budget, args []any) (any, error) {
	name, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("timezone needs text, not a %s", dynval.Kind(args[0]))
	}
	return location(b, name)
}

// runDate is date(text, layout, zone) with the zone from the cache; the
// other forms are expr's.
func runDate(b *budget, args []any) (any, error) {
	if len(args) == 3 {
		if name, ok := args[2].(string); ok {
			loc, err := location(b, name)
			if err != nil {
				return nil, err
			}
			args = []any{loc, args[0], args[1]}
		}
	}
	return callBuiltin(builtin.Builtins[builtin.Index["date"]], args)
}

// runString is string(v) with nothing of the process in it: fmt writes a
// pointer inside a list or object as its address, and a time zone as its
// tables, so pointers are followed and a zone is its name first.
// runToJSON is toJSON written compact, on one line: expr indents it, which
// put newlines and runs of spaces into a claim's text. The encoding is
// otherwise expr's own.
func runToJSON(_ *budget, args []any) (any, error) {
	// The event by the names expressions use (userPoolId), not its Go
	// fields (UserPoolID), and a zone by its name.
	out, err := callBuiltin(builtin.Builtins[builtin.Index["toJSON"]], []any{plain(args[0], 0)})
	s, ok := out.(string)
	if err != nil || !ok {
		return out, err
	}
	var b bytes.Buffer
	if json.Compact(&b, []byte(s)) != nil {
		return s, nil
	}
	return b.String(), nil
}

func runString(_ *budget, args []any) (any, error) {
	return callBuiltin(builtin.Builtins[builtin.Index["string"]], []any{plain(args[0], 0)})
}

// plain is v with its pointers followed and its zones named; past the
// depth limit (which measure enforced) it stops.
func plain(v any, depth int) any {
	if depth > defaultLimits.Depth {
		return nil
	}
	switch x := v.(type) {
	case nil, string, bool, int, int64, float64, time.Duration:
		return v
	case time.Time:
		// Without the reading of the process's clock (m=+0.003) that
		// now() carries and fmt writes.
		return x.Round(0)
	case *time.Location:
		return x.String()
	case time.Location:
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e, depth+1)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e, depth+1)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return plain(rv.Elem().Interface(), depth+1)
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = plain(rv.Index(i).Interface(), depth+1)
		}
		return out
	case reflect.Struct:
		// The event: its fields by the names expressions use, each made
		// plain.
		t := rv.Type()
		out := make(map[string]any, t.NumField())
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if tag := f.Tag.Get("expr"); tag != "" {
				name = tag
			}
			out[name] = plain(rv.Field(i).Interface(), depth+1)
		}
		return out
	}
	return v
}
