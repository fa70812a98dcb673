package changes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/preview"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Case is one user's sign-in to compare.
type Case struct {
	// User names the user in the report: the event's user name, or the
	// client id of a client-credentials event.
	User  string
	Event *mapper.Event
}

// Kind is what a change is about.
type Kind string

// The kinds of change, as the JSON report spells them.
const (
	KindClaim         Kind = "claim"
	KindGroups        Kind = "groups"
	KindRoles         Kind = "roles"
	KindPreferredRole Kind = "preferredRole"
	KindScopes        Kind = "scopes"
	KindFailure       Kind = "failure"
)

// Change is one difference in one user's token. For groups, roles and
// scopes, Name is the group, role or scope, and Before or After holds it
// when it was or is in the token. For a failure, Before or After holds why
// the event fails.
type Change struct {
	User  string
	Token string // "id" or "access"
	Kind  Kind
	Name  string
	// Before and After are the values; HasBefore and HasAfter say whether
	// there is one (a claim can be null).
	Before, After       any
	HasBefore, HasAfter bool
}

// Effect is how a change affects the user: gains, loses or changes.
func (c Change) Effect() string {
	switch {
	case !c.HasBefore:
		return "gains"
	case !c.HasAfter:
		return "loses"
	}
	return "changes"
}

// MarshalJSON writes {"user","token","kind","name","before","after"},
// leaving out the token of a failure and the values that are absent.
func (c Change) MarshalJSON() ([]byte, error) {
	type wire struct {
		User   string          `json:"user"`
		Token  string          `json:"token,omitempty"`
		Kind   Kind            `json:"kind"`
		Name   string          `json:"name"`
		Before json.RawMessage `json:"before,omitempty"`
		After  json.RawMessage `json:"after,omitempty"`
	}
	w := wire{User: c.User, Token: c.Token, Kind: c.Kind, Name: c.Name}
	var err error
	if c.HasBefore {
		if w.Before, err = marshal(c.Before); err != nil {
			return nil, err
		}
	}
	if c.HasAfter {
		if w.After, err = marshal(c.After); err != nil {
			return nil, err
		}
	}
	return marshal(w)
}

// marshal is json.Marshal without escaping <, > and &, which a reader of
// the report would see as \u003c.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Tally counts the users a claim (or group, role, scope, failure) changes for.
type Tally struct {
	Kind                  Kind
	Name                  string
	Gain, Lose, Different int
}

// Report is the outcome of comparing two mappings over a set of users.
type Report struct {
	// Users is how many users were examined, Changed how many of them get
	// a different token or start or stop failing.
	Users, Changed int
	// Changes are grouped by user, in the order the users came.
	Changes []Change
	// Summary has one line per claim, group, role, scope or failure that
	// changes, sorted by kind and name.
	Summary []Tally
}

// workers bounds the users evaluated at once: each evaluation may make
// DynamoDB requests, which should not all go out together.
const workers = 8

// Compare evaluates both mappings for every case and reports what differs.
// It fails only when ctx ends; a failing event is a finding, not an error.
func Compare(ctx context.Context, before, after *mapper.Mapper, cases []Case) (*Report, error) {
	per := make([][]Change, len(cases))
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(workers, len(cases)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				per[i] = compareOne(ctx, before, after, cases[i])
			}
		}()
	}
	for i := range cases {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("comparing the mappings: %w", err)
	}
	r := &Report{Users: len(cases), Changes: []Change{}}
	for _, cs := range per {
		if len(cs) > 0 {
			r.Changed++
		}
		r.Changes = append(r.Changes, cs...)
	}
	r.Summary = summarize(r.Changes)
	return r, nil
}

// compareOne compares the tokens of one sign-in.
func compareOne(ctx context.Context, before, after *mapper.Mapper, c Case) []Change {
	pb, errB := build(ctx, before, c.Event)
	pa, errA := build(ctx, after, c.Event)
	switch {
	case errB != nil && errA != nil:
		return nil
	case errB != nil:
		return failures(c, Change{Before: failure(errB), HasBefore: true})
	case errA != nil:
		return failures(c, Change{After: failure(errA), HasAfter: true})
	}
	var out []Change
	if pb.ID != nil && pa.ID != nil {
		out = append(out, compareToken(c.User, "id", pb.ID.Payload(), pa.ID.Payload())...)
	}
	return append(out, compareToken(c.User, "access", pb.Access.Payload(), pa.Access.Payload())...)
}

// failures lists a failing event once per token it would issue, so that
// every change names its token.
func failures(c Case, f Change) []Change {
	f.User, f.Kind, f.Name = c.User, KindFailure, "event"
	var out []Change
	if !c.Event.ClientCredentials() {
		id := f
		id.Token = "id"
		out = append(out, id)
	}
	f.Token = "access"
	return append(out, f)
}

func build(ctx context.Context, mp *mapper.Mapper, ev *mapper.Event) (*preview.Preview, error) {
	r, err := mp.Evaluate(ctx, ev)
	if err != nil {
		return nil, err
	}
	return preview.Build(ev, r), nil
}

// failure says why an event fails, in the words the mapping's author needs.
func failure(err error) string {
	return "fails: " + authoring.DescribeError(err)
}

// listKinds are the claims compared item by item, as sets.
var listKinds = map[string]Kind{"cognito:groups": KindGroups, "cognito:roles": KindRoles}

// compareToken lists the differences between two payloads of one token.
func compareToken(user, token string, before, after map[string]any) []Change {
	var out []Change
	for _, n := range preview.Names(before, after) {
		b, hasB := before[n]
		a, hasA := after[n]
		switch {
		case listKinds[n] != "":
			out = append(out, compareSets(user, token, listKinds[n], items(b), items(a))...)
		case n == "scope" && token == "access":
			out = append(out, compareSets(user, token, KindScopes, strings.Fields(text(b)), strings.Fields(text(a)))...)
		case hasB == hasA && preview.Same(b, a):
		default:
			kind := KindClaim
			if n == "cognito:preferred_role" {
				kind = KindPreferredRole
			}
			out = append(out, Change{User: user, Token: token, Kind: kind, Name: n, Before: b, HasBefore: hasB, After: a, HasAfter: hasA})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return kindOrder(out[i].Kind) < kindOrder(out[j].Kind) })
	return out
}

// compareSets reports the items only one side has, removed first.
func compareSets(user, token string, kind Kind, before, after []string) []Change {
	var out []Change
	for _, s := range before {
		if !slices.Contains(after, s) {
			out = append(out, Change{User: user, Token: token, Kind: kind, Name: s, Before: s, HasBefore: true})
		}
	}
	for _, s := range after {
		if !slices.Contains(before, s) {
			out = append(out, Change{User: user, Token: token, Kind: kind, Name: s, After: s, HasAfter: true})
		}
	}
	return out
}

func items(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, text(x))
	}
	return out
}

func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// summarize counts, per kind and name, the users who gain, lose or see a
// change; a user whose ID and access tokens both change counts once.
func summarize(changes []Change) []Tally {
	type key struct {
		kind Kind
		name string
	}
	seen := map[key]map[string]map[string]bool{}
	for _, c := range changes {
		k := key{c.Kind, c.Name}
		if seen[k] == nil {
			seen[k] = map[string]map[string]bool{}
		}
		e := c.Effect()
		if c.Kind == KindFailure {
			e = map[bool]string{true: "gains", false: "loses"}[c.HasAfter]
		}
		if seen[k][e] == nil {
			seen[k][e] = map[string]bool{}
		}
		seen[k][e][c.User] = true
	}
	out := make([]Tally, 0, len(seen))
	for k, e := range seen {
		out = append(out, Tally{Kind: k.kind, Name: k.name, Gain: len(e["gains"]), Lose: len(e["loses"]), Different: len(e["changes"])})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return kindOrder(out[i].Kind) < kindOrder(out[j].Kind)
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func kindOrder(k Kind) int {
	return slices.Index([]Kind{KindFailure, KindClaim, KindGroups, KindRoles, KindPreferredRole, KindScopes}, k)
}
