package config

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Current is the only mapping format version this build understands.
const Current = 1

// DefaultTimeout is the budget for all lookups of one event when the mapping
// sets none. Cognito gives the whole trigger 5 seconds.
const DefaultTimeout = 2 * time.Second

// MaxTimeout is the largest timeout a mapping may set: what is left of
// Cognito's 5 seconds must cover the Lambda's own work and network.
const MaxTimeout = 4 * time.Second

// Mapping is a parsed, validated mapping file.
type Mapping struct {
	// File is the name used in messages (a path, "-" or "CLAIMS_MAPPING").
	File string
	// Size is the length of the source in bytes.
	Size int

	Version int
	// TriggerVersion is the pool's LambdaVersion (V1_0, V2_0, V3_0) or "" when unknown.
	TriggerVersion string
	Timeout        time.Duration
	// OnClaimError is the error policy of every claim, of groups and of
	// every scope rule that sets no onError of its own.
	OnClaimError ErrorPolicy

	Sources  []*Source
	Claims   []*Claim
	Suppress []*Suppression
	Groups   *Groups
	Scopes   *Scopes

	// slots are the texts that hold ${NAME} references, filled by Bind;
	// vars the names they read, sorted.
	slots []*slot
	vars  []string
}

// ErrorPolicy says what happens when a claim expression or a source lookup fails.
type ErrorPolicy string

// Policy is the error policy of a rule whose own onError is own ("" when it
// sets none): its own, or else the mapping's onClaimError.
func (m *Mapping) Policy(own ErrorPolicy) ErrorPolicy {
	if own != "" {
		return own
	}
	return m.OnClaimError
}

// Error policies. Claims use omit/fail, sources ignore/fail.
const (
	Omit   ErrorPolicy = "omit"
	Fail   ErrorPolicy = "fail"
	Ignore ErrorPolicy = "ignore"
)

// Tokens is the set of tokens a claim or suppression applies to.
type Tokens uint8

// The tokens of a Cognito sign-in.
const (
	IDToken Tokens = 1 << iota
	AccessToken
	BothTokens = IDToken | AccessToken
)

// Has reports whether t includes all of u.
func (t Tokens) Has(u Tokens) bool { return t&u == u }

func (t Tokens) String() string {
	switch t {
	case IDToken:
		return "[id]"
	case AccessToken:
		return "[access]"
	case BothTokens:
		return "[id, access]"
	}
	return "[]"
}

// Pos is a 1-based line and column in the mapping file.
type Pos struct {
	Line, Column int
}

// Expr is an expression as written in the mapping, with where it stands.
type Expr struct {
	Code string
	// Path is the YAML path of the expression, e.g. "claims.fullName.value".
	Path string
	// Pos is where the first character of Code stands in the file.
	Pos Pos
	// CutByComment is set when the expression is an unquoted YAML value
	// followed by a comment: a " #" meant for the expression (as in
	// filter(list, # > 1)) made YAML cut it there.
	CutByComment bool
	// at holds the file position of each byte of Code, so that a position
	// inside the expression maps back to the file whatever the YAML quoting.
	at []Pos
}

// PosAt maps a position inside Code, as expr reports it (line from 1,
// column from 0 within that line, in characters), to a position in the
// file.
func (e *Expr) PosAt(line, column int) Pos {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(e.Code[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
	for ; column > 0 && off < len(e.Code) && e.Code[off] != '\n'; column-- {
		_, size := utf8.DecodeRuneInString(e.Code[off:])
		off += size
	}
	off += column // past the end of the line
	switch {
	case len(e.at) == 0:
		return e.Pos
	case off < 0:
		return e.at[0]
	case off >= len(e.at):
		last := e.at[len(e.at)-1]
		return Pos{Line: last.Line, Column: last.Column + off - len(e.at) + 1}
	}
	return e.at[off]
}

// KeyValue names a key attribute and the expression that yields its value.
type KeyValue struct {
	Attr  string
	Value *Expr
}

// Source is a DynamoDB lookup whose result becomes an expression variable.
type Source struct {
	Name string
	Pos  Pos

	Table string
	Index string
	// Key is set for a GetItem source, in the order written.
	Key []KeyValue
	// Query is set for a query source; its variable is a list of items.
	Query *Query

	Limit          int
	ConsistentRead bool
	OnError        ErrorPolicy
	When           *Expr
	// Cache keeps results in memory for this long; 0 disables caching.
	Cache time.Duration
	// CacheBytes bounds the memory the source's cached results take.
	CacheBytes int64
}

// IsQuery reports whether the source yields a list of items.
func (s *Source) IsQuery() bool { return s.Query != nil }

// Query selects items by partition key and an optional sort-key prefix.
type Query struct {
	Partition      KeyValue
	SortBeginsWith *KeyValue
}

// Claim is a claim to add to or override in the tokens.
type Claim struct {
	Name string
	Pos  Pos
	// Exactly one of Value and Const is set.
	Value  *Expr
	Const  *Value
	When   *Expr
	Tokens Tokens
	// OnError is the claim's own error policy, "" when it follows the
	// mapping's onClaimError (Mapping.Policy).
	OnError ErrorPolicy
}

// Suppression removes a claim from the tokens.
type Suppression struct {
	Claim  string
	Pos    Pos
	When   *Expr
	Tokens Tokens
}

// Groups overrides the groups and IAM roles Cognito puts in the tokens.
// A nil field keeps the request's value.
type Groups struct {
	Override      *Expr
	IAMRoles      *Expr
	PreferredRole *Expr
	// OnError is the error policy of the three, "" when they follow the
	// mapping's onClaimError (Mapping.Policy).
	OnError ErrorPolicy
}

// Scopes changes the access token's scopes (V2 and V3 events only).
type Scopes struct {
	Add      []*ScopeRule
	Suppress []*ScopeRule
}

// ScopeRule is an expression yielding a scope (or a list of scopes), optionally conditional.
type ScopeRule struct {
	Value *Expr
	When  *Expr
	// OnError is the rule's own error policy, "" when it follows the
	// mapping's onClaimError (Mapping.Policy).
	OnError ErrorPolicy
}
