package mapper

import (
	"fmt"
	"reflect"

	"github.com/expr-lang/expr/vm"

	"github.com/claimsmapper/claimsmapper/config"
)

// checkV1Type notes a claim bound for the ID token whose expression gives a
// value that is not text, such as user.role == "manager". A V1_0 trigger
// can only add text, so the app reading the ID token gets "true"; under
// V2_0 and V3_0 it gets true. Apps break when the pool's trigger version
// changes and the type with it, so the note says what each version sends.
// It is for V1_0 mappings only: under V2_0 the type is the one written.
// Only types expr knows when compiling count: an attribute's type is known
// only from the item, at run time.
func (c *compiler) checkV1Type(cl *config.Claim, prog *vm.Program) {
	tv := c.cfg.TriggerVersion
	if prog == nil || cl.Const != nil || !cl.Tokens.Has(config.IDToken) || tv != "V1_0" {
		return
	}
	kind, example := staticKind(prog.Node().Type())
	if kind == "" {
		return
	}
	msg := fmt.Sprintf("this claim is %s: a V1_0 trigger puts it in the ID token as the text %s, a V2_0 or V3_0 trigger as %s; apps reading the ID token get text now and the other type if the user pool switches to V2_0, so make it text on purpose with string(...), or write the apps for both",
		kind, example.text, example.typed)
	c.add(config.Finding{Pos: cl.Value.Pos, Path: cl.Value.Path, Severity: config.SevInfo, Rule: "v1-type", Message: msg})
}

type examples struct{ text, typed string }

// staticKind names a compile-time result type that is not text, with how V1
// and V2 write a value of it; "" for text and for types known only at run time.
func staticKind(t reflect.Type) (string, examples) {
	if t == nil {
		return "", examples{}
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true/false", examples{`"true"`, "true"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number", examples{`"42"`, "42"}
	case reflect.Slice, reflect.Array:
		return "a list", examples{`'["a","b"]'`, `["a","b"]`}
	case reflect.Map, reflect.Struct:
		return "an object", examples{`'{"a":1}'`, `{"a":1}`}
	}
	return "", examples{}
}
