// Package localdata serves a mapping's sources from a local file of tables
// and items, so mappings can be run and tested without AWS.
//
// The file is YAML or JSON:
//
//	tables:
//	  SampleUsers:
//	    - { userName: benbpyle, FirstName: Ben, LastName: Pyle }
//	  AppTable:                      # a table may declare its key schema
//	    keys: { partition: PK, sort: SK }
//	    indexes: { byRole: { partition: role, sort: PK } }
//	    items:
//	      - { PK: "USER#ben", SK: "TENANT#acme", role: owner }
//
// It is read as strictly as the mapping (the same node reader): every
// problem is reported at once, with its line and column. A mapping's inline
// tests may hold the same tables under data:.
//
// Everything a mapping can observe behaves as in DynamoDB: values are
// converted through mapper's value model (a date stays the text written,
// !!binary is base64 text, numbers as DynamoDB returns them); a key
// matches by equality, numbers by value; a query returns one partition in
// sort-key order, with an optional sort-key prefix; projections are applied
// as DynamoDB applies them. The sort key is the one declared, or the one
// the query's sortBeginsWith names, or else inferred from the items: the one
// attribute besides the partition key that every item of the partition has
// and that tells them apart. When the items leave it ambiguous and the order
// matters, the query fails and says to declare keys:.
package localdata
