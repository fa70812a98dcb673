package dynval

import "maps"

// Project copies the named attributes of an item, as DynamoDB's
// ProjectionExpression answers; nil names copy every attribute. The copy
// keeps the caller from sharing the store's map.
func Project(item map[string]any, names []string) map[string]any {
	if names == nil {
		return maps.Clone(item)
	}
	out := make(map[string]any, len(names))
	for _, n := range names {
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	return out
}
