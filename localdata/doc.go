// Package localdata serves a mapping's sources from a local file of tables
// and items, so mappings can be run and tested without AWS.
//
// The file is YAML or JSON:
//
//	tables:
//	  SampleUsers:
//	    - { userName: benbpyle, FirstName: Ben, LastName: Pyle }
//
// It is read as strictly as the mapping (the same node reader): every
// problem is reported at once, with its line and column. Decode reads the
// same tables written inline in a mapping's test.
//
// Lookups follow DynamoDB's GetItem and Query semantics: a key matches by
// equality, a query by partition equality plus an optional sort-key prefix,
// in sort-key order; an index is just other attribute names. Projections are
// applied as DynamoDB applies them, so a mapping that works here asks
// DynamoDB for the attributes it needs.
package localdata
