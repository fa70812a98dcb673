package integration

import (
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// TestLambdaEnvironmentIsOptIn: under the runtime emulator, a mapping that
// names the function's credentials, or a variable its operator did not
// list, never loads, and the log never shows the value.
func TestLambdaEnvironmentIsOptIn(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrap(t, t.TempDir())
	const secret = "wJalrXUtnFEMI-integration-secret"
	event := readFile(t, "../testdata/seed/event.json")
	cases := []struct {
		name, mapping, allow, logged string
	}{
		{"the function's credentials", "version: 1\nclaims:\n  k: { const: '${AWS_SECRET_ACCESS_KEY}' }\n", "TABLE_NAME",
			"${AWS_SECRET_ACCESS_KEY} is not allowed: a mapping can never read variables starting with AWS_"},
		{"a secret the operator did not list", "version: 1\nclaims:\n  k: { const: '${DB_PASSWORD}' }\n", "TABLE_NAME",
			"${DB_PASSWORD} is not allowed: the function reads only the variables its operator lists in CLAIMS_MAPPING_ENV"},
		{"a credential listed by mistake", "version: 1\nclaims:\n  k: { const: x }\n", "TABLE_NAME,AWS_SESSION_TOKEN",
			"CLAIMS_MAPPING_ENV: AWS_SESSION_TOKEN cannot be allowed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := functionEnv("http://127.0.0.1:9", c.mapping, "DB_PASSWORD", secret, "AWS_SESSION_TOKEN", secret)
			env["AWS_SECRET_ACCESS_KEY"] = secret
			env["CLAIMS_MAPPING_ENV"] = c.allow
			fn := testenv.StartFunction(t, bootstrap, env)
			initFails(t, fn, fn.Invoke(t, "env", event), strings.ReplaceAll(c.logged, `"`, `\"`))
			if strings.Contains(fn.Output(), secret) {
				t.Errorf("the log shows the secret:\n%s", fn.Output())
			}
		})
	}
}
