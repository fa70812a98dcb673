package lambda

import (
	"context"
	"log/slog"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Open finds the mapping the environment names (CLAIMS_MAPPING, or
// CLAIMS_MAPPING_URI with an optional CLAIMS_MAPPING_REFRESH), then reads,
// validates and compiles it with store behind its sources. When the mapping
// cannot be read or is invalid it logs why (every finding, one line each) and
// fails: the function never runs without a mapping.
func Open(ctx context.Context, lookupEnv func(string) (string, bool), store mapper.Store, log *slog.Logger) (*mappingfile.Loader, error) {
	loc, err := mappingfile.FromEnv(lookupEnv)
	if err != nil {
		log.Error("cannot read the mapping", slog.String("error", err.Error()))
		return nil, err
	}
	return mappingfile.Open(ctx, loc, mappingfile.Options{
		Compile: func(name string, src []byte) (*mapper.Mapper, error) {
			mp, fs := mapper.Load(src, mapper.LoadOptions{File: name, Config: config.Options{LookupEnv: lookupEnv}, Store: store, Logger: log})
			return mp, config.Errors(fs)
		},
		Log: log,
	})
}

// Load is Open for callers that need the mapping as it is now, without
// refresh.
func Load(lookupEnv func(string) (string, bool), store mapper.Store, log *slog.Logger) (*mapper.Mapper, error) {
	l, err := Open(context.Background(), lookupEnv, store, log)
	if err != nil {
		return nil, err
	}
	return l.Mapper(context.Background()), nil
}
