package mapper

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/claimsmapper/claimsmapper/internal/yamlnode"
)

var (
	reUnknownName = regexp.MustCompile(`^unknown name (\S+)`)
	reNoField     = regexp.MustCompile(`^type \*?mapper\.Event has no field (\S+)`)
	goTypes       = strings.NewReplacer(
		"map[string]interface {}", "item",
		"[]interface {}", "list",
		"interface {}", "any value",
		"*mapper.Event", "event",
		"mapper.Event", "event",
		"[]string", "list of text",
		"map[string]string", "set of text values",
		"float64", "number",
		"int64", "number",
		"string", "text",
	)
)

// eventFields are the names expressions may read of event.
var eventFields = func() []string {
	t := reflect.TypeFor[Event]()
	out := make([]string, t.NumField())
	for i := range out {
		out[i] = t.Field(i).Tag.Get("expr")
	}
	return out
}()

// explain rewrites an expr compile message for a mapping author: no Go
// types, and a suggestion where one helps. It returns the message and a rule id.
func explain(msg string, names []string, code string) (string, string) {
	if m := reUnknownName.FindStringSubmatch(msg); m != nil {
		name := m[1]
		if s := yamlnode.Suggest(name, names); s != "" {
			return fmt.Sprintf("unknown name %q (did you mean %q?)", name, s), "unknown-name"
		}
		readable := "expressions can read event and the sources " + listNames(names[1:])
		if len(names) == 1 {
			readable = "expressions can read event (the mapping has no sources)"
		}
		if !bareWord(code, name) {
			return fmt.Sprintf("unknown name %q: %s", name, readable), "unknown-name"
		}
		switch {
		case strings.TrimSpace(code) == name:
			// YAML would take the quotes of "premium" for its own.
			return fmt.Sprintf("unknown name %q: to use the text %s, write '\"%s\"' (in quotes) or use const: %s; %s", name, name, name, name, readable), "unknown-name"
		case strings.HasPrefix(strings.TrimSpace(code), name):
			return fmt.Sprintf("unknown name %q: to use the text %s, write \"%s\" (in quotes), and put the whole expression in single quotes since it then starts with a quote; %s", name, name, name, readable), "unknown-name"
		}
		return fmt.Sprintf("unknown name %q: to use the text %s, write \"%s\" (in quotes); %s", name, name, name, readable), "unknown-name"
	}
	if m := reNoField.FindStringSubmatch(msg); m != nil {
		field := m[1]
		s := yamlnode.Suggest(field, eventFields)
		if s != "" {
			return fmt.Sprintf("event has no field %q (did you mean %q?)", field, s), "unknown-field"
		}
		return fmt.Sprintf("event has no field %q; its fields are %s", field, strings.Join(eventFields, ", ")), "unknown-field"
	}
	if strings.HasPrefix(msg, "expected bool") {
		return "this condition must be true or false, but it gives " + plainTypes(strings.TrimPrefix(msg, "expected bool, but got ")) +
			"; compare it, e.g. user.active == true", "when-not-bool"
	}
	if strings.HasPrefix(msg, "unexpected token EOF") {
		return "the expression ends too early: something is missing at the end (a value after an operator, or a closing bracket or quote)", "expression"
	}
	if m := reUnexpectedToken.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("unexpected %q here; text needs quotes inside the expression, e.g. '\"%s\"', and words need an operator between them", m[1], m[1]), "expression"
	}
	return plainTypes(msg), "expression"
}

// bareWord reports whether name stands alone in code, as a word meant as
// text would (user.Title ?? Staff), rather than as the start of a member
// access or call (usr.FirstName, lenght(x)).
func bareWord(code, name string) bool {
	re := regexp.MustCompile(`(^|[^\w.])` + regexp.QuoteMeta(name) + `\b\s*([.\[(]?)`)
	for _, m := range re.FindAllStringSubmatch(code, -1) {
		if m[2] == "" {
			return true
		}
	}
	return false
}

// reGoWord matches the Go type names goTypes cannot replace as plain
// substrings ("int" is inside other words).
var reGoWord = regexp.MustCompile(`\b(u?int|float|bool)\b`)

// plainTypes replaces Go type names in an expr message with plain words.
func plainTypes(msg string) string {
	return reGoWord.ReplaceAllStringFunc(goTypes.Replace(msg), func(w string) string {
		if w == "bool" {
			return "true/false"
		}
		return "number"
	})
}

// reUnexpectedToken matches expr's `unexpected token Identifier("x")`, which
// names the parser's token kinds.
var reUnexpectedToken = regexp.MustCompile(`^unexpected token [A-Za-z]+\("((?:[^"\\]|\\.)*)"\)`)

func listNames(names []string) string {
	if len(names) == 0 {
		return "(none defined)"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// Go's words in expr's run-time messages, as reflection and type
// assertions write them.
var (
	reConversion = regexp.MustCompile(`interface conversion: interface \{\} is (.+?), not ([^\s()]+)`)
	reMapIndex   = regexp.MustCompile(`reflect\.Value\.MapIndex: value of type (\S+) is not assignable to type (\S+)`)
	reCallUsing  = regexp.MustCompile(`reflect: Call using (\S+) as type (\S+)`)
	reUnhashable = regexp.MustCompile(`hash of unhashable type:? ((?:\[\]|map\[string\])?interface \{\}|\S+)`)
	timeTypes    = strings.NewReplacer("*time.Location", "time zone", "time.Time", "date", "time.Duration", "duration")
)

// PlainError is an expression's run-time error in an author's words: expr
// and Go's reflection name Go's types ("interface conversion: interface {}
// is float64, not string", "invalid operation: map[string]interface {} *
// int"), which explain, run and test show instead as kinds of values.
// Only the first line is rewritten: the lines after it quote the author's
// expression, which may well say float( or string(.
func PlainError(msg string) string {
	msg, snippet, multiline := strings.Cut(msg, "\n")
	msg = plainRuntime(msg)
	if multiline {
		msg += "\n" + snippet
	}
	return msg
}

func plainRuntime(msg string) string {
	msg = reConversion.ReplaceAllString(msg, "expected a $2 here, not a $1")
	msg = reMapIndex.ReplaceAllString(msg, "an object's key must be $2, not $1")
	msg = reCallUsing.ReplaceAllString(msg, "expected a $2 here, not a $1")
	msg = reUnhashable.ReplaceAllString(msg, "a $1 cannot be a key")
	// int( and float( are the author's builtins: "invalid operation:
	// int(map[string]interface {})".
	return reRuntimeWord.ReplaceAllStringFunc(goTypes.Replace(timeTypes.Replace(msg)), func(w string) string {
		switch {
		case strings.HasSuffix(w, "("):
			return w
		case w == "bool":
			return "true/false"
		}
		return "number"
	})
}

// reRuntimeWord matches Go's names of numbers and booleans, and a builtin's
// name before its bracket, which stays.
var reRuntimeWord = regexp.MustCompile(`\b(u?int(8|16|32|64)?|float(32|64)?|bool)\b\(?`)
