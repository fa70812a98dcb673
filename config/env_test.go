package config_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/config"
)

// fakeEnv is a function's environment: credentials, a secret the operator
// put there for other code, and the table name the mapping may read.
func fakeEnv(name string) (string, bool) {
	v, ok := map[string]string{
		"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG",
		"AWS_REGION":            "eu-west-1",
		"DB_PASSWORD":           "hunter2",
		"TABLE_NAME":            "Users",
		"TENANTS":               "Tenants",
	}[name]
	return v, ok
}

func parse(src string, env config.Env) (*config.Mapping, error) {
	m, fs := parseBound("m.yaml", []byte(src), env)
	return m, config.Errors(fs)
}

// parseBound parses a mapping and binds it to env, with the findings of
// both, as mapper.Load does.
func parseBound(file string, src []byte, env config.Env) (*config.Mapping, []config.Finding) {
	m, fs := config.Parse(file, src, config.Options{})
	if m == nil {
		return nil, fs
	}
	bm, bfs := m.Bind(env)
	fs = append(fs, bfs...)
	config.Sort(fs)
	return bm, fs
}

func TestEnvironmentReferences(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		allow      []string
		want       string // the text after expansion, when it loads
		err        string // part of the error, when it does not
	}{
		{"an allowed variable is read", "${TABLE_NAME}", []string{"TABLE_NAME"}, "Users", ""},
		{"several references in one text are read", "${TABLE_NAME}-${TENANTS}", []string{"TABLE_NAME", "TENANTS"}, "Users-Tenants", ""},
		{"text without a reference is kept", "plain $5 and $$ and $x", nil, "plain $5 and $$ and $x", ""},
		{"$${ writes a literal ${", "$${TABLE_NAME} costs $${", nil, "${TABLE_NAME} costs ${", ""},
		{"nothing is allowed by default", "${TABLE_NAME}", nil, "", "${TABLE_NAME} is not allowed: the function reads only the variables its operator lists in CLAIMS_MAPPING_ENV; add TABLE_NAME"},
		{"a variable the operator did not list is refused", "${DB_PASSWORD}", []string{"TABLE_NAME"}, "", "${DB_PASSWORD} is not allowed"},
		{"the function's credentials are refused even when listed", "${AWS_SECRET_ACCESS_KEY}", []string{"AWS_SECRET_ACCESS_KEY"}, "", "a mapping can never read variables starting with AWS_, LAMBDA_, _, CLAIMS_"},
		{"the runtime's variables are refused", "${_HANDLER}", nil, "", "can never read"},
		{"the function's own settings are refused", "${CLAIMS_MAPPING_URI}", nil, "", "can never read"},
		{"an empty reference is an error", "${}", nil, "", `"${}" is not a reference to a variable: it names no variable`},
		{"spaces inside a reference are an error", "${ TABLE_NAME }", []string{"TABLE_NAME"}, "", "remove the spaces: ${TABLE_NAME}"},
		{"a name starting with a digit is an error", "${1X}", nil, "", "cannot start with a digit"},
		{"a shell default is an error", "${TABLE_NAME:-Users}", []string{"TABLE_NAME"}, "", "defaults and other shell forms are not supported"},
		{"a nested reference is an error", "${A${TABLE_NAME}}", []string{"TABLE_NAME"}, "", "references cannot be nested"},
		{"an unclosed reference is an error", "table ${TABLE_NAME", []string{"TABLE_NAME"}, "", `"${TABLE_NAME" is not closed with }`},
		{"other characters in a name are an error", "${TABLE.NAME}", nil, "", "a variable name has only letters, digits and _"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			src := "version: 1\nclaims:\n  a: { const: '" + tt.text + "' }\n"
			m, err := parse(src, config.Env{Lookup: fakeEnv, Allow: tt.allow})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.err)
				}
				if !strings.HasPrefix(err.Error(), "m.yaml:3:") {
					t.Errorf("the error has no position: %v", err)
				}
				for _, secret := range []string{"wJalrXUtnFEMI", "hunter2"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("the error shows a secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Claims[0].Const.Text; got != tt.want {
				t.Errorf("const = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestEnvironmentErrorPointsAtTheReference(t *testing.T) {
	t.Parallel()
	src := "version: 1\nclaims:\n  a: { const: 'x ${DB_PASSWORD}' }\n"
	_, err := parse(src, config.Env{Lookup: fakeEnv})
	if err == nil || !strings.HasPrefix(err.Error(), "m.yaml:3:18: claims.a.const: ") {
		t.Fatalf("err = %v, want it at line 3, column 18", err)
	}
}

func TestEnvironmentInNestedConstants(t *testing.T) {
	t.Parallel()
	src := `version: 1
triggerVersion: V2_0
claims:
  a:
    const: { table: '${TABLE_NAME}', list: [x, '${TABLE_NAME}', '$${x}'] }
  b:
    const: [ok, '${AWS_SECRET_ACCESS_KEY}']
`
	m, err := parse(src, config.Env{Lookup: fakeEnv, Allow: []string{"TABLE_NAME"}})
	if err == nil || !strings.Contains(err.Error(), "m.yaml:7:18: claims.b.const[1]: ${AWS_SECRET_ACCESS_KEY} is not allowed") {
		t.Fatalf("err = %v, want the credential refused in the list", err)
	}
	src = strings.Split(src, "  b:")[0]
	m, err = parse(src, config.Env{Lookup: fakeEnv, Allow: []string{"TABLE_NAME"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Users", "x", "Users", "${x}"}
	if got := texts(m.Claims[0].Const); !reflect.DeepEqual(got, want) {
		t.Errorf("const texts = %q, want %q", got, want)
	}
}

// texts lists a constant's scalars in file order.
func texts(v *config.Value) []string {
	if v.Kind == config.Scalar {
		return []string{v.Text}
	}
	var out []string
	for _, e := range v.Items {
		out = append(out, texts(e)...)
	}
	return out
}

func TestAllowedEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, setting string
		want          []string
		err           string
	}{
		{"unset allows nothing", "", nil, ""},
		{"a list of names separated by commas", "TABLE_NAME, TENANTS ,", []string{"TABLE_NAME", "TENANTS"}, ""},
		{"a credential cannot be allowed", "TABLE_NAME,AWS_SECRET_ACCESS_KEY", nil, "CLAIMS_MAPPING_ENV: AWS_SECRET_ACCESS_KEY cannot be allowed"},
		{"reserved prefixes are matched in any case", "aws_session_token", nil, "cannot be allowed"},
		{"the function's settings cannot be allowed", "CLAIMS_MAPPING", nil, "cannot be allowed"},
		{"a wildcard is not a name", "*", nil, `"*" is not a variable name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := config.AllowedEnv(func(name string) (string, bool) {
				if name != config.EnvAllowVar {
					t.Errorf("read %s", name)
				}
				return tt.setting, tt.setting != ""
			})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("AllowedEnv = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// An alias repeats its anchor's text, and each repetition is filled; a
// reference not allowed there is still one mistake, said once.
func TestAliasedReferenceIsReportedOnce(t *testing.T) {
	t.Parallel()
	src := "version: 1\ntriggerVersion: V2_0\nclaims:\n  a:\n    const: &b '${Y}'\n  b:\n    const: *b\n  c:\n    const: [*b, *b]\n"
	m, fs := parseBound("m.yaml", []byte(src), config.Env{Lookup: fakeEnv})
	var said []string
	for _, f := range fs {
		said = append(said, fmt.Sprintf("%d:%d %s", f.Pos.Line, f.Pos.Column, f.Rule))
	}
	if want := []string{"5:16 env-not-allowed"}; !reflect.DeepEqual(said, want) {
		t.Fatalf("findings = %q, want %q", said, want)
	}
	if m != nil && len(m.Claims) != 3 {
		t.Fatalf("claims = %d, want 3", len(m.Claims))
	}
}

// Two references that the positions place alike (an escape the file's
// characters cannot be matched past puts every reference of the text at
// its start) are two mistakes: each is said.
func TestReferencesPlacedAlikeAreEachReported(t *testing.T) {
	t.Parallel()
	src := "version: 1\ntriggerVersion: V2_0\nclaims:\n  a:\n    const: \"\\u0051${Y}${Z}\"\n"
	_, fs := parseBound("m.yaml", []byte(src), config.Env{Lookup: fakeEnv})
	var said []string
	for _, f := range fs {
		said = append(said, f.Rule+" "+f.Message[:strings.Index(f.Message, " is not allowed")])
	}
	if want := []string{"env-not-allowed ${Y}", "env-not-allowed ${Z}"}; !reflect.DeepEqual(said, want) {
		t.Fatalf("findings = %q, want %q", said, want)
	}
}
