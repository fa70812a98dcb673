package bench

import (
	"context"
	"errors"

	"github.com/dop251/goja"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// NewGoja compiles workload/mapping.js once into one runtime and calls its
// handle function per event. The event goes in as text and JSON.parse reads
// it inside the runtime (faster than converting a Go value); the user item
// goes in as a Go map, which goja reads without copying. A runtime is not
// safe for concurrent use, like Lambda's one event at a time.
func NewGoja(store mapper.Store) (Handler, error) {
	prog, err := goja.Compile("mapping.js", string(mustRead("workload/mapping.js")), true)
	if err != nil {
		return nil, err
	}
	rt := goja.New()
	if _, err := rt.RunProgram(prog); err != nil {
		return nil, err
	}
	handle, ok := goja.AssertFunction(rt.Get("handle"))
	if !ok {
		return nil, errors.New("mapping.js defines no function handle")
	}
	return func(ctx context.Context, raw []byte) ([]byte, error) {
		user, err := lookUpUser(ctx, store, raw)
		if err != nil {
			return nil, err
		}
		out, err := handle(goja.Undefined(), rt.ToValue(string(raw)), rt.ToValue(map[string]any(user)))
		if err != nil {
			return nil, err
		}
		return []byte(out.String()), nil
	}, nil
}
