package bench

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/claimsmapper/claimsmapper/localdata"
	"github.com/claimsmapper/claimsmapper/mapper"
)

//go:embed workload
var files embed.FS

// Handler serves one invocation: the event JSON in, the event with its
// response out.
type Handler func(ctx context.Context, event []byte) ([]byte, error)

// Engine is one way of doing the workload's job.
type Engine struct {
	Name string
	// New compiles the engine's program once; the handler it returns is
	// then called for every event.
	New func(store mapper.Store) (Handler, error)
}

// Engines lists the implementations, hand-written first: it is the
// baseline the others are measured against.
var Engines = []Engine{
	{"handwritten", NewHandwritten},
	{"mapper", NewMapper},
	{"cel", NewCEL},
	{"goja", NewGoja},
	{"jsonnet", NewJsonnet},
}

// Workload returns the V2 event and the store holding its user.
func Workload() (event []byte, store mapper.Store, err error) {
	event = mustRead("workload/event.json")
	data, err := localdata.Parse("users.yaml", mustRead("workload/users.yaml"))
	if err != nil {
		return nil, nil, err
	}
	return event, data, nil
}

func mustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("embedded %s: %v", name, err))
	}
	return b
}

// userKey is the lookup every engine makes: the Users table by userName.
func userKey(userName string) mapper.GetItemInput {
	return mapper.GetItemInput{Table: "Users", Key: []mapper.Attr{{Name: "userName", Value: userName}}}
}

// lookUpUser reads the event's userName and returns the whole user item,
// empty when there is none: what the script engines get, which read the
// event themselves.
func lookUpUser(ctx context.Context, store mapper.Store, event []byte) (mapper.Item, error) {
	var head struct {
		UserName string `json:"userName"`
	}
	if err := json.Unmarshal(event, &head); err != nil {
		return nil, err
	}
	user, err := store.GetItem(ctx, userKey(head.UserName))
	if user == nil && err == nil {
		user = mapper.Item{}
	}
	return user, err
}
