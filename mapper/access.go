package mapper

import "slices"

// Access is what one source asks of DynamoDB: the request it makes, on which
// table or index, and the attributes it reads. The function's IAM policy is
// derived from these (claimsmapper iam-policy).
type Access struct {
	Source string
	Table  string
	// Index is the index a query source reads, or "".
	Index string
	// Query is set for a query source; a key source makes GetItem requests.
	Query bool
	// Attributes is the projection the request asks for, sorted: the
	// attributes expressions read plus the key. Nil means the whole item,
	// because some expression uses the item in a way whose attributes
	// cannot be known.
	Attributes []string
}

// Accesses lists what the mapping's sources read, in the order the mapping
// names them.
func (mp *Mapper) Accesses() []Access {
	out := make([]Access, 0, len(mp.cfg.Sources))
	for _, cs := range mp.cfg.Sources {
		for _, s := range mp.sources {
			if s.cfg != cs {
				continue
			}
			out = append(out, Access{Source: cs.Name, Table: cs.Table, Index: cs.Index, Query: cs.IsQuery(),
				Attributes: slices.Clone(s.projection)})
		}
	}
	return out
}
