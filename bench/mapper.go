package bench

import (
	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// NewMapper loads workload/mapping.yaml as the Lambda does at init.
func NewMapper(store mapper.Store) (Handler, error) {
	mp, err := mapper.Load("mapping.yaml", mustRead("workload/mapping.yaml"), config.Options{}, mapper.Options{Store: store})
	if err != nil {
		return nil, err
	}
	return mp.Handle, nil
}
