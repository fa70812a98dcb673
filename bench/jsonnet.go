package bench

import (
	"context"
	"encoding/json"

	"github.com/google/go-jsonnet"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// NewJsonnet parses workload/mapping.jsonnet once and evaluates the parsed
// program with one reused VM. The event goes in as JSON text (Jsonnet reads
// JSON as code); the user item is encoded to JSON first, as every Jsonnet
// embedder must. The VM is not safe for concurrent use, like Lambda's one
// event at a time.
func NewJsonnet(store mapper.Store) (Handler, error) {
	node, err := jsonnet.SnippetToAST("mapping.jsonnet", string(mustRead("workload/mapping.jsonnet")))
	if err != nil {
		return nil, err
	}
	vm := jsonnet.MakeVM()
	return func(ctx context.Context, raw []byte) ([]byte, error) {
		user, err := lookUpUser(ctx, store, raw)
		if err != nil {
			return nil, err
		}
		userJSON, err := json.Marshal(user)
		if err != nil {
			return nil, err
		}
		vm.TLACode("event", string(raw))
		vm.TLACode("user", string(userJSON))
		out, err := vm.Evaluate(node)
		if err != nil {
			return nil, err
		}
		return []byte(out), nil
	}, nil
}
