package changes

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/claimsmapper/claimsmapper/dynamo"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// ScanAPI sends the DynamoDB requests Sample makes (Scan); the store's
// client, *awsapi.DynamoDB, implements it.
type ScanAPI = dynamo.API

// scanRequest and scanAnswer are a Scan as DynamoDB's JSON protocol names
// their fields.
type (
	scanRequest struct {
		TableName                 string
		ProjectionExpression      string
		FilterExpression          string
		ExpressionAttributeNames  map[string]string
		ExpressionAttributeValues map[string]dynamo.AttributeValue `json:",omitempty"`
		ConsistentRead            bool
		Limit                     int32
		ExclusiveStartKey         map[string]dynamo.AttributeValue `json:",omitempty"`
	}
	scanAnswer struct {
		Items            []map[string]dynamo.AttributeValue
		LastEvaluatedKey map[string]dynamo.AttributeValue
	}
)

// DefaultSample is how many users --sample examines unless told.
const DefaultSample = 100

// maxScanPages bounds the pages one sample reads, so a table where few
// items are users cannot turn a sample into a full scan.
const maxScanPages = 20

// Sample reads at most n user keys from the user table with a paginated,
// consistent Scan that fetches only the key attributes the mapping reads
// the user by.
func Sample(ctx context.Context, api ScanAPI, ut UserTable, n int) ([]Key, error) {
	fields := ut.Fields
	if len(fields) == 0 {
		fields = map[string]string{"sub": "userAttributes.sub", "userName": "userName", "username": "userName"}
	}
	attrs := attrNames(fields)
	names := map[string]string{}
	values := map[string]dynamo.AttributeValue{}
	var proj, exists []string
	for i, a := range attrs {
		p := fmt.Sprintf("#k%d", i)
		names[p] = a
		proj = append(proj, p)
		if prefix := ut.Prefixes[a]; prefix != "" {
			v := fmt.Sprintf(":p%d", i)
			values[v] = dynamo.Text(prefix)
			exists = append(exists, "begins_with("+p+", "+v+")")
		} else {
			exists = append(exists, "attribute_exists("+p+")")
		}
	}
	in := &scanRequest{
		TableName:                ut.Table,
		ProjectionExpression:     strings.Join(proj, ", "),
		FilterExpression:         strings.Join(exists, " OR "),
		ExpressionAttributeNames: names,
		ConsistentRead:           true,
		Limit:                    int32(min(n, 1000)),
	}
	if len(values) > 0 {
		in.ExpressionAttributeValues = values
	}
	var items []mapper.Item
	for page := 0; page < maxScanPages && len(items) < n; page++ {
		var out scanAnswer
		if err := api.Call(ctx, "Scan", in, &out); err != nil {
			return nil, fmt.Errorf("scan table %q: %w", ut.Table, err)
		}
		for _, av := range out.Items {
			it, err := dynamo.Item(av)
			if err != nil {
				return nil, fmt.Errorf("scan table %q: %w", ut.Table, err)
			}
			items = append(items, it)
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
	if len(items) > n {
		items = items[:n]
	}
	keys, err := KeysFromItems(items, UserTable{Table: ut.Table, Fields: fields, Prefixes: ut.Prefixes})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(keys, func(i, j int) bool { return keyString(keys[i]) < keyString(keys[j]) })
	return keys, nil
}

func keyString(k Key) string {
	var b strings.Builder
	for _, f := range attrNames(k) {
		b.WriteString(f + "=" + k[f] + ";")
	}
	return b.String()
}
