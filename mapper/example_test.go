package mapper_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

const exampleMapping = `
version: 1
sources:
  user:
    table: SampleUsers
    key:
      userName: event.userName
claims:
  firstName: user.FirstName
  lastName: user.LastName
`

// Handle takes the event as Cognito sends it and returns it with its
// response set.
func ExampleMapper_Handle() {
	users := localdata.New(map[string][]mapper.Item{
		"SampleUsers": {{"userName": "benbpyle", "FirstName": "Ben", "LastName": "Pyle"}},
	})
	mp, _, err := mapper.Load([]byte(exampleMapping), mapper.LoadOptions{File: "mapping.yaml", Store: users})
	if err != nil {
		fmt.Println(err)
		return
	}
	out, err := mp.Handle(context.Background(), []byte(`{"version":"1","userName":"benbpyle","request":{}}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// {"version":"1","userName":"benbpyle","request":{},"response":{"claimsOverrideDetails":{"claimsToAddOrOverride":{"firstName":"Ben","lastName":"Pyle"},"claimsToSuppress":[],"groupOverrideDetails":{"groupsToOverride":[],"iamRolesToOverride":[],"preferredRole":null}}}}
}

// A mapping that does not load says where and why, with every problem at
// once; expression errors carry the column inside the expression, mapped
// into the file. The error is a *config.Error: errors.As gives each
// finding, with its position, rule and severity.
func ExampleLoad_error() {
	_, _, err := mapper.Load([]byte(`version: 1
sources:
  user: { table: SampleUsers, key: { userName: event.userName } }
claims:
  firstName: usr.FirstName
  fullName: 'user.FirstName + " " + user.LastNme + event.usrName'
  sub: user.id
`), mapper.LoadOptions{File: "mapping.yaml"})
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, f := range ce.Findings {
			fmt.Printf("%s [%s %s]\n", f, f.Severity, f.Rule)
		}
	}
	// Output:
	// mapping.yaml:5:14: claims.firstName: unknown name "usr" (did you mean "user"?) [error unknown-name]
	// mapping.yaml:6:58: claims.fullName: event has no field "usrName" (did you mean "userName"?) [error unknown-field]
	// mapping.yaml:7:3: claims.sub: claim "sub" cannot be added or overridden: Cognito protects this claim in every token [error protected-claim]
}

// EvaluateTrace tells why a token has, or lacks, each claim.
func ExampleMapper_EvaluateTrace() {
	users := localdata.New(map[string][]mapper.Item{"SampleUsers": {}})
	mp, _, err := mapper.Load([]byte(exampleMapping), mapper.LoadOptions{File: "mapping.yaml", Store: users})
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := &mapper.Event{Version: "2", UserName: "nobody"}
	_, trace, _ := mp.EvaluateTrace(context.Background(), ev)
	for _, s := range trace.Sources {
		fmt.Printf("source %s: found=%v projection=%v\n", s.Name, s.Found, s.Projection)
	}
	for _, r := range trace.Rules {
		fmt.Printf("%s: fired=%v (%s)\n", r.Path, r.Fired, r.Note)
	}
	// Output:
	// source user: found=false projection=[FirstName LastName userName]
	// claims.firstName: fired=false (SampleUsers has no item with userName = "nobody", so user.FirstName is null; the claim is left out)
	// claims.lastName: fired=false (SampleUsers has no item with userName = "nobody", so user.LastName is null; the claim is left out)
}

// HandleStats also counts what the evaluation did, for metrics: no values,
// only names, flags and counts. Reuse the Stats: once it has room for the
// mapping's sources, counting allocates nothing.
func ExampleMapper_HandleStats() {
	users := localdata.New(map[string][]mapper.Item{
		"SampleUsers": {{"userName": "benbpyle", "FirstName": "Ben"}},
	})
	mp, _, err := mapper.Load([]byte(exampleMapping), mapper.LoadOptions{File: "mapping.yaml", Store: users})
	if err != nil {
		fmt.Println(err)
		return
	}
	var st mapper.Stats
	if _, err := mp.HandleStats(context.Background(), []byte(`{"version":"1","userName":"benbpyle","request":{}}`), &st); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range st.Sources {
		fmt.Printf("source %s: error %t, timeout %t, cached %t\n", s.Name, s.Err, s.Timeout, s.Cached)
	}
	fmt.Printf("claims added %d, claim errors %d\n", st.ClaimsAdded, st.ClaimErrors)
	// Output:
	// source user: error false, timeout false, cached false
	// claims added 1, claim errors 0
}

// A mapping's ${NAME} are slots: compile it once, then bind it to each
// environment it runs in, which shares every compiled program.
func ExampleMapper_Bind() {
	m, fs := config.Parse("mapping.yaml", []byte(`version: 1
sources:
  user: { table: "${TABLE_NAME}", key: { userName: event.userName } }
claims:
  firstName: user.FirstName
`), config.Options{})
	if err := config.Errors(fs); err != nil {
		fmt.Println(err)
		return
	}
	compiled, _, err := mapper.Compile(m, mapper.LoadOptions{File: "mapping.yaml"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("reads", m.Vars())
	users := localdata.New(map[string][]mapper.Item{
		"UsersTest": {{"userName": "ben", "FirstName": "Ben (test)"}},
		"UsersProd": {{"userName": "ben", "FirstName": "Ben"}},
	})
	for _, table := range []string{"UsersTest", "UsersProd"} {
		env := config.Env{Allow: []string{"TABLE_NAME"}, Lookup: func(string) (string, bool) { return table, true }}
		mp, _, err := compiled.Bind(env)
		if err != nil {
			fmt.Println(err)
			return
		}
		r, err := mp.WithStore(users).Evaluate(context.Background(), &mapper.Event{Version: "2", UserName: "ben"})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(table, r.IDClaims["firstName"])
	}
	// A variable the environment does not allow is a finding, at the reference.
	_, _, err = compiled.Bind(config.Env{Lookup: func(string) (string, bool) { return "UsersProd", true }})
	fmt.Println(err != nil)
	// Output:
	// reads [TABLE_NAME]
	// UsersTest Ben (test)
	// UsersProd Ben
	// true
}
