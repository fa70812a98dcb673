package localdata_test

import (
	"context"
	"fmt"

	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// A data file stands in for DynamoDB: a mapping runs on it as on the real
// tables, with the same values, keys and projections.
func ExampleParse() {
	data, err := localdata.Parse("users.yaml", []byte(`tables:
  Users:
    - { userName: ben, FirstName: Ben, Age: 41, Roles: [admin] }
    - { userName: ana, FirstName: Ana }
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	item, err := data.GetItem(context.Background(), mapper.GetItemInput{
		Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: "ben"}}, Projection: []string{"FirstName", "Age"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v %T\n", item, item["Age"])
	// Output:
	// map[Age:41 FirstName:Ben] int64
}

// A mistake in the file is reported where it is.
func ExampleParse_error() {
	_, err := localdata.Parse("users.yaml", []byte("tables:\n  Users:\n    - { userName: ben, Age: 017 }\n"))
	fmt.Println(err)
	// Output:
	// users.yaml:3:29: tables.Users[0]: 017 starts with 0, which some YAML readers take as octal; write 17 for the number, or quote it ('017') to keep it as text
}
