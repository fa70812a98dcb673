package bench

import (
	"github.com/claimsmapper/claimsmapper/mapper"
)

// NewMapper loads workload/mapping.yaml as the Lambda does at init.
func NewMapper(store mapper.Store) (Handler, error) {
	mp, _, err := mapper.Load(mustRead("workload/mapping.yaml"), mapper.LoadOptions{File: "mapping.yaml", Store: store})
	if err != nil {
		return nil, err
	}
	return mp.Handle, nil
}
