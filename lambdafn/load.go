package lambdafn

import (
	"context"
	"errors"
	"log/slog"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Load reads the mapping from the environment, validates and compiles it
// with store behind its sources. When the mapping is invalid it logs every
// finding, one line each, so the function's init log says all that is wrong
// at once.
func Load(lookupEnv func(string) (string, bool), store mapper.Store, log *slog.Logger) (*mapper.Mapper, error) {
	name, src, err := MappingSource(func(k string) string { v, _ := lookupEnv(k); return v })
	if err != nil {
		log.Error("cannot read the mapping", slog.String("error", err.Error()))
		return nil, err
	}
	mp, err := mapper.Load(name, src, config.Options{LookupEnv: lookupEnv}, mapper.Options{Store: store, Logger: log})
	var ce *config.Error
	if errors.As(err, &ce) {
		for _, f := range ce.Findings {
			attrs := []slog.Attr{slog.String("finding", f.String()), slog.String("severity", f.Severity.String())}
			if f.Snippet != "" {
				attrs = append(attrs, slog.String("snippet", f.Snippet))
			}
			log.LogAttrs(context.Background(), slog.LevelError, "invalid mapping", attrs...)
		}
		return nil, err
	}
	if err != nil {
		log.Error("cannot load the mapping", slog.String("error", err.Error()))
		return nil, err
	}
	log.Info("mapping loaded", slog.String("source", name), slog.Int("sources", len(mp.Mapping().Sources)),
		slog.Int("claims", len(mp.Mapping().Claims)), slog.Duration("timeout", mp.Mapping().Timeout))
	return mp, nil
}
