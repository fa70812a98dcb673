package dynamo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/dynval"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// API sends one request of DynamoDB's JSON protocol: op is the action
// (GetItem, Query, Scan), in is encoded as the request's body and the
// answer decoded into out. *awsapi.DynamoDB implements it; tests substitute
// fakes for error paths.
type API interface {
	Call(ctx context.Context, op string, in, out any) error
}

// The requests and answers the store sends and reads, as DynamoDB's JSON
// protocol names their fields.
type (
	getItemRequest struct {
		TableName                string
		Key                      map[string]AttributeValue
		ConsistentRead           bool              `json:",omitempty"`
		ProjectionExpression     string            `json:",omitempty"`
		ExpressionAttributeNames map[string]string `json:",omitempty"`
	}
	getItemAnswer struct {
		Item map[string]AttributeValue
	}
	queryRequest struct {
		TableName                 string
		IndexName                 string `json:",omitempty"`
		KeyConditionExpression    string
		ExpressionAttributeNames  map[string]string         `json:",omitempty"`
		ExpressionAttributeValues map[string]AttributeValue `json:",omitempty"`
		ProjectionExpression      string                    `json:",omitempty"`
		ConsistentRead            bool                      `json:",omitempty"`
		Limit                     int32                     `json:",omitempty"`
	}
	queryAnswer struct {
		Items            []map[string]AttributeValue
		LastEvaluatedKey map[string]AttributeValue
	}
)

// Store reads sources from DynamoDB. It is safe for concurrent use.
type Store struct {
	api API
	log *slog.Logger
}

var _ mapper.Store = (*Store)(nil)

// New returns a Store over api. log receives one debug line per request,
// with its timing; nil discards them.
func New(api API, log *slog.Logger) *Store {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{api: api, log: log}
}

// GetItem reads one item by its full key with a single GetItem request.
func (s *Store) GetItem(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	req := &getItemRequest{TableName: in.Table, Key: make(map[string]AttributeValue, len(in.Key)), ConsistentRead: in.ConsistentRead}
	for _, k := range in.Key {
		av, err := keyValue(k.Value)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", k.Name, err)
		}
		req.Key[k.Name] = av
	}
	var names names
	req.ProjectionExpression = names.projection(in.Projection)
	req.ExpressionAttributeNames = names.m

	start := time.Now()
	var out getItemAnswer
	err := s.api.Call(ctx, "GetItem", req, &out)
	s.logRequest(ctx, "GetItem", in.Table, "", start, err, func() []slog.Attr {
		return []slog.Attr{slog.Any("key", in.Key), slog.Bool("found", out.Item != nil)}
	})
	if err != nil {
		return nil, requestError("GetItem", in.Table, err)
	}
	if out.Item == nil {
		return nil, nil
	}
	return Item(out.Item)
}

// Query reads the first page of one partition with a single Query request.
// Further pages are not read: a source costs one request per event, and
// a mapping that needs more than a page (1 MB) of items should use limit.
func (s *Store) Query(ctx context.Context, in mapper.QueryInput) ([]mapper.Item, error) {
	var names names
	req := &queryRequest{TableName: in.Table, IndexName: in.Index, ConsistentRead: in.ConsistentRead,
		ExpressionAttributeValues: map[string]AttributeValue{}}
	if in.Limit > 0 {
		req.Limit = int32(min(in.Limit, 1<<31-1))
	}
	pv, err := keyValue(in.Partition.Value)
	if err != nil {
		return nil, fmt.Errorf("partition %s: %w", in.Partition.Name, err)
	}
	cond := names.name(in.Partition.Name) + " = :pk"
	req.ExpressionAttributeValues[":pk"] = pv
	if sp := in.SortPrefix; sp != nil {
		prefix, ok := sp.Value.(string)
		if !ok {
			return nil, fmt.Errorf("sort key %s: a prefix must be text, not a %s", sp.Name, dynval.Kind(sp.Value))
		}
		cond += " AND begins_with(" + names.name(sp.Name) + ", :sk)"
		req.ExpressionAttributeValues[":sk"] = Text(prefix)
	}
	req.KeyConditionExpression = cond
	req.ProjectionExpression = names.projection(in.Projection)
	req.ExpressionAttributeNames = names.m

	start := time.Now()
	var out queryAnswer
	err = s.api.Call(ctx, "Query", req, &out)
	s.logRequest(ctx, "Query", in.Table, in.Index, start, err, func() []slog.Attr {
		attrs := []slog.Attr{slog.Any("partition", in.Partition)}
		if in.SortPrefix != nil {
			attrs = append(attrs, slog.Any("sortPrefix", *in.SortPrefix))
		}
		return append(attrs, slog.Int("items", len(out.Items)), slog.Bool("morePages", out.LastEvaluatedKey != nil))
	})
	if err != nil {
		return nil, requestError("Query", in.Table, err)
	}
	items := make([]mapper.Item, len(out.Items))
	for i, av := range out.Items {
		if items[i], err = Item(av); err != nil {
			return nil, fmt.Errorf("query %q: item %d: %w", in.Table, i, err)
		}
	}
	return items, nil
}

// logRequest logs one request at debug level. Key values identify a user,
// so they are computed (by detail) only when debug is on.
func (s *Store) logRequest(ctx context.Context, op, table, index string, start time.Time, err error, detail func() []slog.Attr) {
	if !s.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("op", op), slog.String("table", table), slog.Duration("duration", time.Since(start))}
	if index != "" {
		attrs = append(attrs, slog.String("index", index))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, detail()...)
	}
	s.log.LogAttrs(ctx, slog.LevelDebug, "dynamodb request", attrs...)
}

// requestError names the request and says plainly when the budget ran out,
// which is what an operator needs to tell a slow table from a broken one.
func requestError(op, table string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s %q: no answer within the lookup timeout: %w", op, table, err)
	}
	return fmt.Errorf("%s %q: %w", op, table, err)
}

// names collects ExpressionAttributeNames. Every attribute name goes through
// a placeholder: names that are reserved words or hold dots or dashes would
// otherwise be parsed as syntax or paths. (The SDK's expression builder
// splits names on dots, so it cannot be used here.)
type names struct {
	m map[string]string
}

func (n *names) name(attr string) string {
	if n.m == nil {
		n.m = map[string]string{}
	}
	p := "#n" + strconv.Itoa(len(n.m))
	n.m[p] = attr
	return p
}

// projection returns the ProjectionExpression for attrs; empty means all.
func (n *names) projection(attrs []string) string {
	if len(attrs) == 0 {
		return ""
	}
	ps := make([]string, len(attrs))
	for i, a := range attrs {
		ps[i] = n.name(a)
	}
	return strings.Join(ps, ", ")
}
