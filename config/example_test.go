package config_test

import (
	"fmt"

	"github.com/claimsmapper/claimsmapper/config"
)

// Parse reads a mapping and reports every problem at once, each with its
// file:line:col and how to fix it; the expressions stay text, for package
// mapper to compile.
func ExampleParse() {
	m, findings := config.Parse("mapping.yaml", []byte(`version: 1
sources:
  user: { table: Users, key: { userName: event.userName } }
claims:
  department: user.Department
  plan: { const: free, tokens: [access] }
  sub: user.id
`), config.Options{})
	for _, f := range findings {
		fmt.Println(f)
	}
	fmt.Println(config.Errors(findings) != nil)
	for _, c := range m.Claims {
		fmt.Printf("%s: %s\n", c.Name, c.Tokens)
	}
	// Output:
	// mapping.yaml:7:3: claims.sub: claim "sub" cannot be added or overridden: Cognito protects this claim in every token
	// true
	// department: [id, access]
	// plan: [access]
	// sub: [id, access]
}
