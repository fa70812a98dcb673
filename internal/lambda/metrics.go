package lambda

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/claimsmapper/claimsmapper/internal/jsontext"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// The variables that control the metrics.
const (
	// EnvMetrics set to off turns the metrics off.
	EnvMetrics = "CLAIMS_METRICS"
	// EnvMetricsNamespace is the CloudWatch namespace (default claimsmapper).
	EnvMetricsNamespace = "CLAIMS_METRICS_NAMESPACE"
	// DefaultNamespace is the namespace when EnvMetricsNamespace is unset.
	DefaultNamespace = "claimsmapper"
	// envFunctionName and envFunctionVersion are set by Lambda.
	envFunctionName    = "AWS_LAMBDA_FUNCTION_NAME"
	envFunctionVersion = "AWS_LAMBDA_FUNCTION_VERSION"
)

// Outcomes of a mapping refresh check: the values of the MappingRefresh
// metric's Outcome dimension.
const (
	RefreshUnchanged = "unchanged" // S3 says not modified, or the same text again
	RefreshUpdated   = "updated"   // a changed, valid mapping now serves
	RefreshRejected  = "rejected"  // a changed mapping failed validation; the old one serves
	RefreshS3Error   = "s3-error"  // the object could not be read; the old one serves
)

var namespaceChars = regexp.MustCompile(`^[A-Za-z0-9 ._/#:-]+$`)

var refreshOutcomes = [...]string{RefreshUnchanged, RefreshUpdated, RefreshRejected, RefreshS3Error}

// Metrics writes the function's metrics as CloudWatch Embedded Metric
// Format: JSON documents on the log stream that CloudWatch turns into
// metrics, so they cost no API call and no time waiting for one. Each
// invocation writes one document; an invocation that looks up several
// sources writes one more per further source, because a document holds one
// value per dimension and the source is a dimension. Nothing in them comes
// from the event or from DynamoDB items: dimensions are the function's and
// the mapping's source names, properties the request id and the mapping's
// version. A nil *Metrics writes nothing.
type Metrics struct {
	w         io.Writer
	namespace string
	function  string
	version   string
	now       func() time.Time

	mu  sync.Mutex
	buf []byte
	// refresh counts the refresh outcomes not yet written, by index in
	// refreshOutcomes: a check ends in its own goroutine, so its outcome
	// goes out with the next document.
	refresh [len(refreshOutcomes)]atomic.Int64
}

// MetricsFromEnv returns the metrics the environment asks for, written to
// w, or nil when CLAIMS_METRICS is off.
func MetricsFromEnv(lookupEnv func(string) (string, bool), w io.Writer) (*Metrics, error) {
	get := func(k string) string { v, _ := lookupEnv(k); return strings.TrimSpace(v) }
	switch strings.ToLower(get(EnvMetrics)) {
	case "off":
		return nil, nil
	case "", "on":
	default:
		return nil, fmt.Errorf("%s=%q: want on or off", EnvMetrics, get(EnvMetrics))
	}
	ns := get(EnvMetricsNamespace)
	if ns == "" {
		ns = DefaultNamespace
	}
	switch {
	case len(ns) > 255:
		return nil, fmt.Errorf("%s is %d characters long; CloudWatch allows 255", EnvMetricsNamespace, len(ns))
	case !namespaceChars.MatchString(ns) || strings.HasPrefix(ns, "AWS/"):
		// CloudWatch would drop every document without a word.
		return nil, fmt.Errorf("%s=%q: CloudWatch allows letters, digits, spaces and . - _ / # : in a namespace, and none starting with AWS/", EnvMetricsNamespace, ns)
	}
	fn := get(envFunctionName)
	if fn == "" {
		// Lambda always sets it; a dimension must have a value.
		fn = "unknown"
	}
	return &Metrics{w: w, namespace: ns, function: fn, version: get(envFunctionVersion), now: time.Now}, nil
}

// Refreshed counts a refresh check's outcome, one of the Refresh constants.
func (m *Metrics) Refreshed(outcome string) {
	if m == nil {
		return
	}
	for i, o := range refreshOutcomes {
		if o == outcome {
			m.refresh[i].Add(1)
		}
	}
}

// invocationFacts is what the metrics of one invocation are made of.
type invocationFacts struct {
	requestID string
	failed    bool
	// stopped is set when the backstop answered without the evaluation.
	stopped  bool
	duration time.Duration
	stats    *mapper.Stats
	mapping  MappingVersion
}

// write writes the documents of one invocation.
func (m *Metrics) write(inv invocationFacts) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ts := m.now().UnixMilli()
	b := m.buf[:0]
	var sources []mapper.SourceStats
	if inv.stats != nil {
		sources = inv.stats.Sources
	}
	var first *mapper.SourceStats
	if len(sources) > 0 {
		first = &sources[0]
	}
	outcome := ""
	for i := range m.refresh {
		if n := m.refresh[i].Load(); n > 0 && outcome == "" {
			outcome = refreshOutcomes[i]
			m.refresh[i].Add(-1)
		}
	}

	// The invocation's document: its own metrics, the first source's, and
	// a refresh outcome if one is pending.
	b = m.open(b, ts)
	b = m.directive(b, `[["FunctionName"]]`, `{"Name":"Invocations","Unit":"Count"},{"Name":"Failures","Unit":"Count"},`+
		`{"Name":"ClaimErrors","Unit":"Count"},{"Name":"ClaimsAdded","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds"}`)
	if first != nil {
		b = append(b, ',')
		b = m.sourceDirective(b, first)
	}
	if outcome != "" {
		b = append(b, ',')
		b = m.directive(b, `[["FunctionName","Outcome"]]`, `{"Name":"MappingRefresh","Unit":"Count"}`)
	}
	if inv.stopped {
		b = append(b, ',')
		b = m.directive(b, `[["FunctionName"]]`, `{"Name":"BackstopStops","Unit":"Count"}`)
	}
	b = append(b, ']')
	b = m.common(b, inv)
	claimErrors, claimsAdded := 0, 0
	if inv.stats != nil {
		claimErrors, claimsAdded = inv.stats.ClaimErrors, inv.stats.ClaimsAdded
	}
	b = appendInt(b, "Invocations", 1)
	b = appendInt(b, "Failures", boolInt(inv.failed))
	b = appendInt(b, "ClaimErrors", claimErrors)
	b = appendInt(b, "ClaimsAdded", claimsAdded)
	b = appendMillis(b, "Duration", inv.duration)
	if first != nil {
		b = sourceValues(b, first)
	}
	if outcome != "" {
		b = appendString(b, "Outcome", outcome)
		b = appendInt(b, "MappingRefresh", 1)
	}
	if inv.stopped {
		b = appendInt(b, "BackstopStops", 1)
	}
	b = append(b, "}\n"...)

	// One more document per further source.
	for i := 1; i < len(sources); i++ {
		b = m.open(b, ts)
		b = m.sourceDirective(b, &sources[i])
		b = append(b, ']')
		b = m.common(b, inv)
		b = sourceValues(b, &sources[i])
		b = append(b, "}\n"...)
	}
	// Outcomes still pending (two checks ended since the last invocation).
	for i := range m.refresh {
		for ; m.refresh[i].Load() > 0; m.refresh[i].Add(-1) {
			b = m.open(b, ts)
			b = m.directive(b, `[["FunctionName","Outcome"]]`, `{"Name":"MappingRefresh","Unit":"Count"}`)
			b = append(b, ']')
			b = m.common(b, inv)
			b = appendString(b, "Outcome", refreshOutcomes[i])
			b = appendInt(b, "MappingRefresh", 1)
			b = append(b, "}\n"...)
		}
	}
	// One Write per invocation: the lines never interleave with log lines.
	m.w.Write(b)
	m.buf = b
}

// open starts a document up to its first directive.
func (m *Metrics) open(b []byte, ts int64) []byte {
	b = append(b, `{"_aws":{"Timestamp":`...)
	b = strconv.AppendInt(b, ts, 10)
	return append(b, `,"CloudWatchMetrics":[`...)
}

func (m *Metrics) directive(b []byte, dimensions, metrics string) []byte {
	b = append(b, `{"Namespace":`...)
	b = jsontext.AppendString(b, m.namespace)
	b = append(b, `,"Dimensions":`...)
	b = append(b, dimensions...)
	b = append(b, `,"Metrics":[`...)
	b = append(b, metrics...)
	return append(b, `]}`...)
}

// sourceDirective publishes a source's metrics by source and, summed over
// the sources, by function: the function-wide SourceErrors an alarm watches.
func (m *Metrics) sourceDirective(b []byte, s *mapper.SourceStats) []byte {
	return m.directive(b, `[["FunctionName","Source"],["FunctionName"]]`, sourceMetrics[boolInt(s.Latency > 0)][boolInt(s.Cached)])
}

// sourceMetrics lists a source's metrics, by whether it has a latency and
// whether it has a cache: written out once, not joined for every source of
// every invocation.
var sourceMetrics = func() (lists [2][2]string) {
	const (
		counts  = `{"Name":"SourceErrors","Unit":"Count"},{"Name":"SourceTimeouts","Unit":"Count"}`
		latency = `,{"Name":"SourceLatency","Unit":"Milliseconds"}`
		cache   = `,{"Name":"CacheHits","Unit":"Count"},{"Name":"CacheMisses","Unit":"Count"}`
	)
	lists[0][0], lists[1][0] = counts, counts+latency
	lists[0][1], lists[1][1] = counts+cache, counts+latency+cache
	return lists
}()

func sourceValues(b []byte, s *mapper.SourceStats) []byte {
	b = appendString(b, "Source", s.Name)
	b = appendInt(b, "SourceErrors", boolInt(s.Err))
	b = appendInt(b, "SourceTimeouts", boolInt(s.Timeout))
	if s.Latency > 0 {
		b = appendMillis(b, "SourceLatency", s.Latency)
	}
	if s.Cached {
		b = appendInt(b, "CacheHits", boolInt(s.CacheHit))
		b = appendInt(b, "CacheMisses", boolInt(!s.CacheHit))
	}
	return b
}

// common closes _aws (after its CloudWatchMetrics) and adds the dimension and properties every document
// has.
func (m *Metrics) common(b []byte, inv invocationFacts) []byte {
	b = append(b, '}')
	b = appendString(b, "FunctionName", m.function)
	if m.version != "" {
		b = appendString(b, "functionVersion", m.version)
	}
	if inv.requestID != "" {
		b = appendString(b, "requestId", inv.requestID)
	}
	if inv.mapping.SHA256 != "" {
		b = appendString(b, "mappingSha256", inv.mapping.SHA256)
	}
	if inv.mapping.VersionID != "" {
		b = appendString(b, "mappingVersionId", inv.mapping.VersionID)
	}
	return b
}

func appendString(b []byte, key, value string) []byte {
	b = append(b, ',')
	b = jsontext.AppendString(b, key)
	b = append(b, ':')
	return jsontext.AppendString(b, value)
}

func appendInt(b []byte, key string, n int) []byte {
	b = append(b, ',')
	b = jsontext.AppendString(b, key)
	b = append(b, ':')
	return strconv.AppendInt(b, int64(n), 10)
}

// appendMillis writes a duration in milliseconds, to the microsecond.
func appendMillis(b []byte, key string, d time.Duration) []byte {
	b = append(b, ',')
	b = jsontext.AppendString(b, key)
	b = append(b, ':')
	return strconv.AppendFloat(b, float64(d.Microseconds())/1000, 'f', -1, 64)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// MappingVersion names the mapping in force, for logs and metrics: the
// first 12 hex digits of its sha256 (what `sha256sum mapping.yaml` prints
// first) and the S3 object's version id when there is one.
type MappingVersion struct {
	SHA256, VersionID string
	// attrs are the log attributes naming it, made once per mapping.
	attrs []slog.Attr
}

// ShortSHA is how many hex digits of the sha256 name a mapping.
const ShortSHA = 12

func newMappingVersion(sha256, versionID string) MappingVersion {
	v := MappingVersion{SHA256: sha256[:min(ShortSHA, len(sha256))], VersionID: versionID}
	v.attrs = []slog.Attr{slog.String("mappingSha256", v.SHA256)}
	if versionID != "" {
		v.attrs = append(v.attrs, slog.String("mappingVersionId", versionID))
	}
	return v
}

type mappingKey struct{}

// withMapping makes every line logged with ctx name the mapping.
func withMapping(ctx context.Context, v MappingVersion) context.Context {
	if len(v.attrs) == 0 {
		return ctx
	}
	return context.WithValue(ctx, mappingKey{}, v.attrs)
}

func mappingAttrs(ctx context.Context) []slog.Attr {
	a, _ := ctx.Value(mappingKey{}).([]slog.Attr)
	return a
}

func requestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		return lc.AwsRequestID
	}
	return ""
}
