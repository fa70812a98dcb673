package mapper_test

import (
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestMappingsThatDoNotLoad(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, mapping, want string }{
		{"a dependency cycle names the cycle",
			"version: 1\nsources:\n  a: { table: AAA, key: { id: b.x } }\n  b: { table: BBB, key: { id: a.x } }\nclaims:\n  x: a.x\n",
			"mapping.yaml:3:3: sources.a: sources depend on each other in a cycle (a → b → a)"},
		{"a source reading itself is a cycle",
			"version: 1\nsources:\n  a: { table: AAA, key: { id: a.x } }\nclaims:\n  x: a.x\n",
			"cycle (a → a)"},
		{"a protected claim is refused by name",
			"version: 1\nclaims:\n  sub: '\"x\"'\n",
			`mapping.yaml:3:3: claims.sub: claim "sub" cannot be added or overridden`},
		{"suppressing a cognito: claim is refused",
			"version: 1\nsuppress: [\"cognito:username\"]\n",
			`claim "cognito:username" cannot be suppressed`},
		{"cognito:groups points to the groups section",
			"version: 1\nclaims:\n  cognito:groups: event.groups\n",
			"change it with the groups: section"},
		{"an unknown name points at its column with a suggestion",
			"version: 1\nsources:\n  user: { table: UUU, key: { id: event.userName } }\nclaims:\n  name: usr.FirstName\n",
			`mapping.yaml:5:9: claims.name: unknown name "usr" (did you mean "user"?)`},
		{"an unknown event field is named without Go types",
			"version: 1\nclaims:\n  name: 'event.usrName'\n",
			`mapping.yaml:3:16: claims.name: event has no field "usrName" (did you mean "userName"?)`},
		{"a when that is not boolean is refused",
			"version: 1\nclaims:\n  a: { value: '1', when: '\"yes\"' }\n",
			"claims.a.when: this condition must be true or false"},
		{"a second YAML document is refused, not dropped",
			"version: 1\nclaims:\n  a: { const: x }\n---\nclaims:\n  b: { const: y }\n",
			"mapping.yaml:4:1: this file holds more than one YAML document"},
		{"an empty key is refused",
			"version: 1\nsources:\n  u: { table: TTT, key: {} }\nclaims:\n  a: u.x\n",
			"sources.u.key: sources.u.key is empty"},
		{"an empty query partition is refused",
			"version: 1\nsources:\n  u: { table: TTT, query: { partition: {} } }\nclaims:\n  a: u\n",
			"sources.u.query.partition: sources.u.query.partition is empty"},
		{"an empty sortBeginsWith is refused",
			"version: 1\nsources:\n  u: { table: TTT, query: { partition: { PK: event.userName }, sortBeginsWith: {} } }\nclaims:\n  a: u\n",
			"sources.u.query.sortBeginsWith: sources.u.query.sortBeginsWith is empty"},
		{"an empty claim name is refused",
			"version: 1\nclaims:\n  \"\": { const: x }\n",
			`claims[""]: a claim name cannot be empty`},
		{"an empty suppression is refused",
			"version: 1\nsuppress: [\"\"]\n",
			`suppress[0]: a claim name cannot be empty`},
		{"a protected claim in other case is refused",
			"version: 1\nclaims:\n  Sub: { const: x }\n",
			`claim "Sub" is "sub" written with other letters or case`},
		{"a protected prefix in other case is refused",
			"version: 1\nclaims:\n  COGNITO:username: { const: x }\n",
			`"cognito:username" cannot be added or overridden`},
		{"a protected claim with a look-alike letter is refused",
			"version: 1\nclaims:\n  \"\\u0455ub\": { const: x }\n",
			`claim "ѕub" is "sub" written with other letters`},
		{"a claim name with a trailing space is refused",
			"version: 1\nclaims:\n  \"sub \": { const: x }\n",
			`contains a space (U+0020)`},
		{"a claim name with a zero-width space is refused",
			"version: 1\nclaims:\n  \"a\\u200bb\": { const: x }\n",
			`contains an invisible character (U+200B)`},
		{"a source named like a function is refused",
			"version: 1\nsources:\n  upper: { table: TTT, key: { id: event.userName } }\nclaims:\n  a: upper(event.userName)\n",
			`sources.upper: source name "upper" is the name of an expression function`},
		{"an expression that always gives NaN is refused",
			"version: 1\nclaims:\n  a: '0/0'\n",
			"mapping.yaml:3:7: claims.a: this expression always gives a number that is not finite"},
		{"an infinity nested in a literal list is refused",
			"version: 1\ntriggerVersion: V2_0\nclaims:\n  a: '[1, {\"x\": -1/0}]'\n",
			"always gives a number that is not finite"},
		{"an unset environment variable is named",
			"version: 1\nsources:\n  u: { table: '${NO_SUCH_TABLE_VAR}', key: { id: event.userName } }\nclaims:\n  a: u.x\n",
			"the environment variable NO_SUCH_TABLE_VAR is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadErr(mapper.Load([]byte(tt.mapping), mapper.LoadOptions{File: "mapping.yaml", Env: config.Env{Allow: []string{"NO_SUCH_TABLE_VAR"}}}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err =\n%v\nwant it to contain\n%s", err, tt.want)
			}
			if strings.Contains(err.Error(), "interface {}") || strings.Contains(err.Error(), "mapper.") {
				t.Errorf("message shows Go internals: %v", err)
			}
		})
	}
}
