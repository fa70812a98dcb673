package mapper_test

import (
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestMappingsThatDoNotLoad(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, mapping, want string }{
		{"a dependency cycle names the cycle",
			"version: 1\nsources:\n  a: { table: A, key: { id: b.x } }\n  b: { table: B, key: { id: a.x } }\nclaims:\n  x: a.x\n",
			"mapping.yaml:3:3: sources.a: sources depend on each other in a cycle (a → b → a)"},
		{"a source reading itself is a cycle",
			"version: 1\nsources:\n  a: { table: A, key: { id: a.x } }\nclaims:\n  x: a.x\n",
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
			"version: 1\nsources:\n  user: { table: U, key: { id: event.userName } }\nclaims:\n  name: usr.FirstName\n",
			`mapping.yaml:5:9: claims.name: unknown name "usr" (did you mean "user"?)`},
		{"an unknown event field is named without Go types",
			"version: 1\nclaims:\n  name: 'event.usrName'\n",
			`mapping.yaml:3:16: claims.name: event has no field "usrName" (did you mean "userName"?)`},
		{"a when that is not boolean is refused",
			"version: 1\nclaims:\n  a: { value: '1', when: '\"yes\"' }\n",
			"claims.a.when: this condition must be true or false"},
		{"an unset environment variable is named",
			"version: 1\nsources:\n  u: { table: '${NO_SUCH_TABLE_VAR}', key: { id: event.userName } }\nclaims:\n  a: u.x\n",
			"the environment variable NO_SUCH_TABLE_VAR is not set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := loadErr(mapper.Load([]byte(tt.mapping), mapper.LoadOptions{File: "mapping.yaml"}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err =\n%v\nwant it to contain\n%s", err, tt.want)
			}
			if strings.Contains(err.Error(), "interface {}") || strings.Contains(err.Error(), "mapper.") {
				t.Errorf("message shows Go internals: %v", err)
			}
		})
	}
}
