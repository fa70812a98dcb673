package lambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/internal/awsapi"
	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/internal/signing"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Serve is the function's whole life: it sets up logging and the Go memory
// limit from the environment, builds the handler and serves events from the
// Runtime API until the runtime stops it. Once the answer to an event the
// backstop stopped is delivered, it starts the program anew in this
// process (restart), which asks for the next event itself. It returns when
// the init fails (having logged why), when ctx ends (nil), or when the
// Runtime API or that restart fails.
func Serve(ctx context.Context, lookupEnv func(string) (string, bool), stdout io.Writer) error {
	levelText, _ := lookupEnv(EnvLogLevel)
	level, levelErr := ParseLevel(levelText)
	log := NewLogger(stdout, level)
	if levelErr != nil {
		log.Warn("log level ignored, using info", slog.String("error", levelErr.Error()))
	}
	limit, _ := Memory(lookupEnv)
	setMemoryLimit(lookupEnv, limit)
	// The region, the role's credentials and any endpoint: environment
	// reads, no request. The DynamoDB client connects at its first lookup.
	aws, err := awsapi.FromEnv(lookupEnv)
	if err == nil {
		var h *Handler
		if h, err = NewHandler(ctx, lookupEnv, dynamo.Open(aws, log), log, stdout); err == nil {
			api, _ := lookupEnv("AWS_LAMBDA_RUNTIME_API")
			err = serveRuntime(ctx, api, h)
			if errors.Is(err, ErrStopped) {
				err = restart()
			}
			if err != nil {
				log.Error("the runtime API failed", slog.String("error", err.Error()))
			}
			return err
		}
	}
	log.Error("init failed", slog.String("error", initFailure(err)))
	return err
}

// initFailure is what the "init failed" line says. A mapping's findings
// are already logged one line each ("invalid mapping"): the line counts
// them rather than repeating them all, snippets and all, on one line.
func initFailure(err error) string {
	var ce *config.Error
	if errors.As(err, &ce) && len(ce.Findings) > 0 {
		return fmt.Sprintf("the mapping is invalid: %d finding(s), each logged above as \"invalid mapping\"", len(ce.Findings))
	}
	return err.Error()
}

// NewHandler follows the mapping from the environment to the handler: it
// finds where the environment says the mapping is (CLAIMS_MAPPING, or
// CLAIMS_MAPPING_URI with an optional CLAIMS_MAPPING_REFRESH), fetches its
// text, validates and compiles it with store behind its sources, and
// returns a handler serving it. When the mapping cannot be read or is
// invalid it logs why (every finding, one line each) and fails: the function
// never runs without a mapping. The metrics (unless CLAIMS_METRICS is off)
// go to metricsOut, the log stream CloudWatch reads them from; nil writes
// none.
func NewHandler(ctx context.Context, lookupEnv func(string) (string, bool), store mapper.Store, log *slog.Logger, metricsOut io.Writer) (*Handler, error) {
	loc, err := mappingfile.FromEnv(lookupEnv)
	if err != nil {
		log.Error("cannot read the mapping", slog.String("error", err.Error()))
		return nil, err
	}
	// ${NAME} in the mapping reads only what CLAIMS_MAPPING_ENV allows.
	allow, err := config.AllowedEnv(lookupEnv)
	if err != nil {
		log.Error("invalid setting", slog.String("error", err.Error()))
		return nil, err
	}
	var metrics *Metrics
	if metricsOut != nil {
		if metrics, err = MetricsFromEnv(lookupEnv, metricsOut); err != nil {
			log.Error("cannot set up the metrics", slog.String("error", err.Error()))
			return nil, err
		}
	}
	verify, err := verifierFromEnv(ctx, lookupEnv, loc, log, func() (signing.PublicKeys, error) {
		cfg, err := awsapi.FromEnv(lookupEnv)
		if err != nil {
			return nil, err
		}
		return awsapi.NewKMS(cfg), nil
	})
	if err != nil {
		log.Error("invalid setting", slog.String("error", err.Error()))
		return nil, err
	}
	fetcher, obj, err := mappingfile.Open(ctx, loc, mappingfile.Options{Log: log, Checked: func(err error) {
		if err != nil {
			metrics.Refreshed(RefreshS3Error)
		} else {
			metrics.Refreshed(RefreshUnchanged)
		}
	}})
	if err != nil {
		return nil, err
	}
	cfg := config.Env{Lookup: lookupEnv, Allow: allow}
	compile := func(name string, src []byte) (*mapper.Mapper, error) {
		mp, _, err := mapper.Load(src, mapper.LoadOptions{File: name, Env: cfg, Store: store, Logger: log})
		if ce := (*config.Error)(nil); errors.As(err, &ce) {
			// Only the errors stop the function; its log names them alone.
			err = config.Errors(ce.Findings)
		}
		return mp, err
	}
	mappings, err := newMappings(ctx, obj, fetcher, compile, loc.Refresh, log, verify)
	if err != nil {
		return nil, err
	}
	mappings.refreshed = metrics.Refreshed
	h := &Handler{Mappings: mappings, Log: log, Metrics: metrics}
	_, ceiling := Memory(lookupEnv)
	h.Backstop = h.newBackstop(ceiling)
	return h, nil
}

// logFindings logs a mapping's findings one line each, so the log says all
// that is wrong at once; any other error is logged as it is.
func logFindings(ctx context.Context, log *slog.Logger, err error) {
	var ce *config.Error
	if !errors.As(err, &ce) {
		log.LogAttrs(ctx, slog.LevelError, "cannot load the mapping", slog.String("error", err.Error()))
		return
	}
	for _, f := range ce.Findings {
		attrs := []slog.Attr{slog.String("finding", f.String()), slog.String("severity", f.Severity.String()), slog.String("rule", f.Rule)}
		if f.Snippet != "" {
			attrs = append(attrs, slog.String("snippet", f.Snippet))
		}
		log.LogAttrs(ctx, slog.LevelError, "invalid mapping", attrs...)
	}
}
