package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/ext"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// celRule is one claim, suppression or scope as CEL expressions, the way
// Dex proposes CEL for claim mapping: a value and a condition. A missing
// attribute is an error in CEL, so conditions test with has() and defaults
// use optional values (user.?plan.orValue("free")).
type celRule struct {
	name, value, when string
	accessOnly        bool
}

var celClaims = []celRule{
	{name: "firstName", value: `user.FirstName`, when: `has(user.FirstName)`},
	{name: "lastName", value: `user.LastName`, when: `has(user.LastName)`},
	{name: "displayName", value: `user.FirstName + " " + user.LastName`, when: `has(user.FirstName) && has(user.LastName)`},
	{name: "initials", value: `(user.FirstName.substring(0, 1) + user.LastName.substring(0, 1)).upperAscii()`, when: `has(user.FirstName) && has(user.LastName)`},
	{name: "department", value: `user.department.upperAscii()`, when: `has(user.department)`},
	{name: "title", value: `user.title.trim().lowerAscii()`, when: `has(user.title)`},
	{name: "employeeId", value: `user.employeeId`, when: `has(user.employeeId)`},
	{name: "tenant", value: `"tenant:" + user.tenantId`, when: `has(user.tenantId)`},
	{name: "plan", value: `user.?plan.orValue("free")`},
	{name: "nickname", value: `has(user.nickname) ? user.nickname : user.FirstName`, when: `has(user.nickname) || has(user.FirstName)`},
	{name: "locale", value: `user.locale.replace("_", "-")`, when: `has(user.locale)`},
	{name: "appRoles", value: `user.?roles.orValue([]).filter(r, r.startsWith("app:"))`},
	{name: "billingAdmin", value: `"billing-admin" in user.?roles.orValue([])`},
	{name: "mfa", value: `user.?mfaEnrolled.orValue(false) == true`},
	{name: "loginCount", value: `user.loginCount`, when: `has(user.loginCount)`},
	{name: "vip", value: `user.loginCount > 100 && user.?plan.orValue("") == "pro"`, when: `has(user.loginCount)`},
	{name: "country", value: `user.country.upperAscii()`, when: `has(user.country)`},
	{name: "manager", value: `user.managerId`, when: `user.?active.orValue(false) == true && has(user.managerId)`},
	{name: "costCenter", value: `user.costCenter`, when: `user.?department.orValue("") == "finance" && has(user.costCenter)`, accessOnly: true},
	{name: "contractor", value: `true`, when: `user.?contractType.orValue("") == "contractor"`},
}

var (
	celSuppressPhone = celRule{name: "phone_number", when: `user.?privacy.orValue("") == "strict"`}
	celScope         = celRule{value: `"orders/" + user.plan`, when: `user.?active.orValue(false) == true && has(user.plan)`}
)

// celProgram is a compiled rule; a nil when always holds.
type celProgram struct {
	celRule
	value, when cel.Program
}

// NewCEL compiles every expression once into a cel.Program and evaluates
// them per event against one activation holding the event and the user.
func NewCEL(store mapper.Store) (Handler, error) {
	env, err := cel.NewEnv(
		cel.Variable("event", cel.MapType(cel.StringType, cel.DynType)),
		cel.Variable("user", cel.MapType(cel.StringType, cel.DynType)),
		cel.OptionalTypes(), ext.Strings())
	if err != nil {
		return nil, err
	}
	compile := func(r celRule) (p celProgram, err error) {
		p.celRule = r
		if p.value, err = compileCEL(env, r.value); err == nil {
			p.when, err = compileCEL(env, r.when)
		}
		if err != nil {
			return p, fmt.Errorf("%s: %w", r.name, err)
		}
		return p, nil
	}
	var claims []celProgram
	for _, r := range celClaims {
		p, err := compile(r)
		if err != nil {
			return nil, err
		}
		claims = append(claims, p)
	}
	phone, err := compile(celSuppressPhone)
	if err != nil {
		return nil, err
	}
	scope, err := compile(celScope)
	if err != nil {
		return nil, err
	}

	return func(ctx context.Context, raw []byte) ([]byte, error) {
		var ev map[string]any
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		userName, _ := ev["userName"].(string)
		user, err := store.GetItem(ctx, userKey(userName))
		if err != nil {
			return nil, err
		}
		if user == nil {
			user = mapper.Item{}
		}
		act, err := cel.NewActivation(map[string]any{"event": ev, "user": user})
		if err != nil {
			return nil, err
		}
		idClaims := make(map[string]any, len(claims))
		accessClaims := make(map[string]any, len(claims))
		for _, p := range claims {
			v, ok, err := p.eval(act)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			accessClaims[p.name] = v
			if !p.accessOnly {
				idClaims[p.name] = v
			}
		}
		idSuppress := []string{"email"}
		if _, ok, err := phone.eval(act); err != nil {
			return nil, err
		} else if ok {
			idSuppress = append(idSuppress, phone.name)
		}
		scopes := []string{}
		if v, ok, err := scope.eval(act); err != nil {
			return nil, err
		} else if ok {
			scopes = append(scopes, v.(string))
		}
		request, _ := ev["request"].(map[string]any)
		ev["response"] = map[string]any{"claimsAndScopeOverrideDetails": map[string]any{
			"idTokenGeneration": map[string]any{"claimsToAddOrOverride": idClaims, "claimsToSuppress": idSuppress},
			"accessTokenGeneration": map[string]any{"claimsToAddOrOverride": accessClaims,
				"claimsToSuppress": []string{"email"}, "scopesToAdd": scopes, "scopesToSuppress": []string{}},
			"groupOverrideDetails": request["groupConfiguration"],
		}}
		return json.Marshal(ev)
	}, nil
}

// compileCEL compiles one expression; an empty one gives a nil program.
func compileCEL(env *cel.Env, src string) (cel.Program, error) {
	if src == "" {
		return nil, nil
	}
	ast, iss := env.Compile(src)
	if iss.Err() != nil {
		return nil, iss.Err()
	}
	return env.Program(ast, cel.EvalOptions(cel.OptOptimize))
}

// eval reports whether the rule applies and, if it has a value, the value
// as a Go value.
func (p celProgram) eval(act cel.Activation) (any, bool, error) {
	if p.when != nil {
		ok, err := p.run(p.when, act)
		if err != nil || ok != true {
			return nil, false, err
		}
	}
	if p.value == nil {
		return nil, true, nil
	}
	v, err := p.run(p.value, act)
	return v, err == nil, err
}

var anyType = reflect.TypeFor[any]()

// run evaluates one of the rule's programs into a Go value.
func (p celProgram) run(prg cel.Program, act cel.Activation) (any, error) {
	out, _, err := prg.Eval(act)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	return out.ConvertToNative(anyType)
}
