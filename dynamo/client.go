package dynamo

import (
	"log/slog"

	"github.com/claimsmapper/claimsmapper/internal/awsapi"
)

// Open returns the store behind a mapping's sources as the function and the
// CLI use it: a DynamoDB client for cfg, behind the cache (NewCache) for
// the sources that ask for one. Building it makes no request. log may be
// nil.
func Open(cfg awsapi.Config, log *slog.Logger) *Cache {
	return NewCache(New(awsapi.NewDynamoDB(cfg), log), 0)
}
