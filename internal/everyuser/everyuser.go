package everyuser

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Rules of the findings Check returns.
const (
	RuleFails   = "fails-for-some-users"
	RuleLeftOut = "left-out-for-some-users"
)

// MaxUsers bounds the users one Check evaluates, so that the studio, which
// checks on every edit, stays live on a large data file.
const MaxUsers = 500

// MaxTime bounds one Check: each user's sign-in is bounded by the mapping's
// own limits, but lint and the studio (on every edit) should not wait for
// hundreds of them at the limit. Users not evaluated in time are left out
// of the counts.
const MaxTime = 3 * time.Second

// shownUsers is how many users a finding names; the count says the rest.
const shownUsers = 3

// Tables are local tables that serve a mapping's sources and list their
// items: localdata.Data, or an inline test's data:.
type Tables interface {
	mapper.Store
	Rows(table string) ([]mapper.Item, bool)
}

// Sample is sample data a mapping is evaluated on: every user of the table
// the mapping reads the signing-in user from signs in with Event.
type Sample struct {
	Data Tables
	// Event is the sign-in each user's name and key are put into; nil is a
	// sign-in of the mapping's trigger version, with no groups.
	Event *mapper.Event
	// Env gives the mapping's ${NAME} values for this sample: a test's env:,
	// then lint's.
	Env func(string) (string, bool)
}

// Check evaluates every claim of the mapping for every user of the samples
// (users met in several samples count once) and returns a warning for each
// claim that fails, or whose value is null, for at least one of them. A
// claim whose when: is false is left out on purpose and is not reported.
// allow is CLAIMS_MAPPING_ENV, as the function has it. Samples whose mapping
// does not load, or whose data has no user table, are passed over: lint
// reports why elsewhere.
func Check(ctx context.Context, file string, src []byte, allow []string, samples []Sample) []config.Finding {
	return CheckCompiled(ctx, file, authoring.Compile(file, src, config.Options{}), allow, samples)
}

// CheckCompiled is Check on a mapping compiled once, which each sample
// binds to its own env.
func CheckCompiled(ctx context.Context, file string, compiled *authoring.Compiled, allow []string, samples []Sample) []config.Finding {
	ctx, cancel := context.WithTimeout(ctx, MaxTime)
	defer cancel()
	c := checker{claims: map[string]*claimResults{}, seen: map[string]bool{}}
	for _, s := range samples {
		if s.Data == nil {
			continue
		}
		mp, _, err := compiled.Load(config.Env{Lookup: s.Env, Allow: allow}, s.Data, discard)
		if err != nil {
			continue
		}
		c.sample(ctx, mp, s)
	}
	return c.findings(file)
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

// checker gathers, claim by claim, how each user fared.
type checker struct {
	claims map[string]*claimResults
	order  []string // claim paths in mapping order
	seen   map[string]bool
	users  int
}

// claimResults is how one claim fared across the users.
type claimResults struct {
	path string
	pos  config.Pos
	// failsSignIn is set when the claim's error policy is fail: a failure
	// then fails the whole sign-in.
	failsSignIn     bool
	users           int
	failed, leftOut []userResult
}

// userResult is one user for whom a claim failed or was null, and why.
type userResult struct {
	user string
	// missing lists the attributes the claim reads that the user's item
	// lacks, as expressions write them (user.FirstName); noItem names the
	// sources that found no item for the user.
	missing, noItem []string
	err             string
}

func (c *checker) sample(ctx context.Context, mp *mapper.Mapper, s Sample) {
	m := mp.Mapping()
	ut := changes.UserTableOf("", []*config.Mapping{m})
	if ut.Table == "" {
		return
	}
	items, ok := s.Data.Rows(ut.Table)
	if !ok {
		return
	}
	keys, err := changes.KeysFromItems(items, ut)
	if err != nil {
		return
	}
	template := s.Event
	if template == nil {
		template = defaultEvent(m.TriggerVersion)
		if template == nil {
			return
		}
	}
	positions, policies := claimPositions(m), claimPolicies(m)
	for _, k := range keys {
		ev := withUser(template, k)
		label := ev.UserName
		if label == "" || c.seen[label] || len(c.seen) >= MaxUsers {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		_, tr, _ := mp.EvaluateTrace(ctx, ev)
		// A sign-in cut short by the deadline says nothing about the user.
		if tr == nil || ctx.Err() != nil {
			return
		}
		c.seen[label] = true
		c.users++
		for _, rt := range tr.Rules {
			if rt.Kind != "claim" {
				continue
			}
			cr := c.claims[rt.Path]
			if cr == nil {
				cr = &claimResults{path: rt.Path, pos: positions[rt.Path], failsSignIn: policies[rt.Path] == config.Fail}
				c.claims[rt.Path] = cr
				c.order = append(c.order, rt.Path)
			}
			cr.users++
			onPurpose := rt.When != nil && !*rt.When
			switch {
			case rt.Err != nil:
				cr.failed = append(cr.failed, explainUser(label, rt, tr, mp.AttributeReads()))
			case !rt.Fired && rt.Value != nil && strings.HasPrefix(rt.Note, "claim omitted"):
				u := explainUser(label, rt, tr, mp.AttributeReads())
				u.err = strings.TrimPrefix(rt.Note, "claim omitted: ")
				cr.failed = append(cr.failed, u)
			case rt.Value == nil && !onPurpose:
				cr.leftOut = append(cr.leftOut, explainUser(label, rt, tr, mp.AttributeReads()))
			}
		}
	}
}

// claimPositions maps each claim's rule path to where its value (or
// constant) is written.
func claimPositions(m *config.Mapping) map[string]config.Pos {
	out := map[string]config.Pos{}
	for _, cl := range m.Claims {
		pos := cl.Pos
		if cl.Value != nil {
			pos = cl.Value.Pos
		}
		out[claimPath(cl.Name)] = pos
	}
	return out
}

// claimPolicies maps each claim's rule path to its error policy.
func claimPolicies(m *config.Mapping) map[string]config.ErrorPolicy {
	out := map[string]config.ErrorPolicy{}
	for _, cl := range m.Claims {
		out[claimPath(cl.Name)] = m.Policy(cl.OnError)
	}
	return out
}

// claimPath is the path mapper's trace gives a claim: claims.name, or
// claims["a.b"] for a name that is not one word.
func claimPath(name string) string {
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Sprintf("claims[%q]", name)
		}
	}
	return "claims." + name
}

// explainUser finds, for one user, what the claim read that was not there.
func explainUser(user string, rt mapper.RuleTrace, tr *mapper.Trace, reads []mapper.AttrRead) userResult {
	u := userResult{user: user}
	if rt.Err != nil {
		u.err = firstLine(rt.Err.Error())
	}
	for _, r := range reads {
		if r.Path != rt.Path && !strings.HasPrefix(r.Path, rt.Path+".") {
			continue
		}
		for _, st := range tr.Sources {
			if st.Name != r.Source {
				continue
			}
			switch v := st.Value().(type) {
			case mapper.Item:
				if v == nil {
					u.noItem = appendOnce(u.noItem, r.Source)
				} else if _, ok := v[r.Attr]; !ok {
					u.missing = appendOnce(u.missing, r.Expr())
				}
			case nil:
				u.noItem = appendOnce(u.noItem, r.Source)
			}
		}
	}
	return u
}

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// rePosition is expr's " (1:16)" after a runtime error's first line.
var rePosition = regexp.MustCompile(`\s*\(\d+:\d+\)$`)

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return rePosition.ReplaceAllString(s, "")
}

func (c *checker) findings(file string) []config.Finding {
	var out []config.Finding
	for _, path := range c.order {
		cr := c.claims[path]
		if len(cr.failed) > 0 {
			out = append(out, config.Finding{File: file, Pos: cr.pos, Path: path, Severity: config.SevWarning, Rule: RuleFails,
				Message: failMessage(cr)})
		}
		// Null for every user is a misspelt or absent attribute, which
		// mapper.MissingAttributes names; null for some is the surprise.
		if len(cr.leftOut) > 0 && len(cr.leftOut) < cr.users {
			out = append(out, config.Finding{File: file, Pos: cr.pos, Path: path, Severity: config.SevWarning, Rule: RuleLeftOut,
				Message: leftOutMessage(cr)})
		}
	}
	return out
}

// failMessage: fails for 1 of 3 sample users (j…): user.FirstName is
// missing for them, and `+` cannot join nothing to text, so the function
// leaves the claim out of their tokens; write (user.FirstName ?? "").
func failMessage(cr *claimResults) string {
	first := cr.failed[0]
	var b strings.Builder
	fmt.Fprintf(&b, "fails for %s: ", ofUsers(cr.failed, cr.users))
	if what := lacking(first); what != "" {
		b.WriteString(what + ", and ")
	}
	why, fix := plainError(first)
	b.WriteString(why)
	if cr.failsSignIn {
		b.WriteString(", so their sign-in fails (the claim's error policy is fail)")
	} else {
		b.WriteString(", so the function leaves the claim out of their tokens")
	}
	if fix != "" {
		b.WriteString("; " + fix)
	}
	return b.String()
}

// leftOutMessage: is left out for 1 of 3 sample users (j…): …
func leftOutMessage(cr *claimResults) string {
	first := cr.leftOut[0]
	var b strings.Builder
	fmt.Fprintf(&b, "is left out for %s: ", ofUsers(cr.leftOut, cr.users))
	if what := lacking(first); what != "" {
		b.WriteString(what + ", so the value is null")
	} else {
		b.WriteString("the value is null for them")
	}
	b.WriteString(". If that is meant, say so with when: (e.g. when: " + whenHint(first) + "); otherwise give a default with ??")
	if len(first.missing) > 0 {
		b.WriteString(fmt.Sprintf(", e.g. (%s ?? \"\")", first.missing[0]))
	}
	return b.String()
}

func whenHint(u userResult) string {
	switch {
	case len(u.missing) > 0:
		return u.missing[0] + " != nil"
	case len(u.noItem) > 0:
		return u.noItem[0] + " != nil"
	}
	return "CONDITION"
}

// ofUsers: "1 of 3 sample users (j…)", names masked as diff masks values.
func ofUsers(list []userResult, total int) string {
	names := make([]string, 0, shownUsers)
	for i, u := range list {
		if i == shownUsers {
			break
		}
		names = append(names, fmt.Sprint(changes.Literals(nil).Mask(u.user)))
	}
	more := ""
	if len(list) > shownUsers {
		more = fmt.Sprintf(" and %d more", len(list)-shownUsers)
	}
	return fmt.Sprintf("%d of %d sample user%s (%s%s)", len(list), total, pluralS(total), strings.Join(names, ", "), more)
}

func pluralS(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// lacking says what the user's data lacks: "user.FirstName is missing for
// them", "they have no item in user".
func lacking(u userResult) string {
	switch {
	case len(u.missing) == 1:
		return u.missing[0] + " is missing for them"
	case len(u.missing) > 1:
		return strings.Join(u.missing, " and ") + " are missing for them"
	case len(u.noItem) > 0:
		return fmt.Sprintf("source %s finds no item for them", strings.Join(u.noItem, " and "))
	}
	return ""
}

var (
	// expr's runtime messages name Go's types: <nil>, string, int.
	reNullPlusText = regexp.MustCompile(`invalid operation: ((<nil>|null) \+ (string|text)|(string|text) \+ (<nil>|null))`)
	reNullArith    = regexp.MustCompile(`invalid operation: ((<nil>|null) [-+*/%^] \w+|\w+ [-+*/%^] (<nil>|null))`)
	reNullCompare  = regexp.MustCompile(`invalid operation: ((<nil>|null) [<>]=? \w+|\w+ [<>]=? (<nil>|null))`)
)

// plainError says why a claim failed in words, and how to fix it when the
// cause is a missing attribute.
func plainError(u userResult) (why, fix string) {
	defaults := func(zero string) string {
		if len(u.missing) == 0 {
			return ""
		}
		parts := make([]string, len(u.missing))
		for i, m := range u.missing {
			parts[i] = fmt.Sprintf("(%s ?? %s)", m, zero)
		}
		return "write " + strings.Join(parts, " and ")
	}
	switch {
	case reNullPlusText.MatchString(u.err):
		return "`+` cannot join nothing to text", defaults(`""`)
	case reNullArith.MatchString(u.err):
		return "arithmetic cannot be done on nothing", defaults("0")
	case reNullCompare.MatchString(u.err):
		if len(u.missing) > 0 {
			fix = fmt.Sprintf("check it first: %s != nil && …", u.missing[0])
		}
		return "nothing cannot be compared with < or >", fix
	}
	fix = ""
	if len(u.missing) > 0 {
		fix = fmt.Sprintf("give it a default, as (%s ?? \"\"), or leave the claim out on purpose with when: %s != nil", u.missing[0], u.missing[0])
	}
	if u.err == "" {
		return "it fails", fix
	}
	return "it fails: " + plainTypes(u.err), fix
}

// goTypes are Go's type names in expr's messages, as whole words.
var goTypes = regexp.MustCompile(`<nil>|\b(string|int64|float64|int|bool)\b`)

// plainTypes names Go's types as a mapping author does.
func plainTypes(msg string) string {
	return goTypes.ReplaceAllStringFunc(msg, func(w string) string {
		switch w {
		case "<nil>":
			return "null"
		case "string":
			return "text"
		case "bool":
			return "true/false"
		}
		return "number"
	})
}

// defaultEvent is the sign-in users are put into when a sample has no event
// of its own: diff's, rewritten to the mapping's trigger version.
func defaultEvent(triggerVersion string) *mapper.Event {
	raw := changes.DefaultTemplate
	if len(triggerVersion) >= 2 {
		if r, err := authoring.WithVersion(raw, triggerVersion[1:2]); err == nil {
			raw = r
		}
	}
	ev, err := mapper.DecodeEvent(raw)
	if err != nil {
		return nil
	}
	return ev
}

// withUser is the template sign-in made by the user the key names: its
// user name, client id and the user attributes the key sets. The template's
// other attributes stay, so that a claim reading event.userAttributes.email
// is not reported for users whose sample lacks it.
func withUser(template *mapper.Event, k changes.Key) *mapper.Event {
	ev := *template
	ev.UserAttributes = make(map[string]any, len(template.UserAttributes)+len(k))
	for n, v := range template.UserAttributes {
		ev.UserAttributes[n] = v
	}
	label := ""
	fields := make([]string, 0, len(k))
	for f := range k {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		v := k[f]
		switch {
		case f == "userName":
			ev.UserName, label = v, v
		case f == "clientId":
			ev.ClientID = v
		case strings.HasPrefix(f, "userAttributes."):
			ev.UserAttributes[strings.TrimPrefix(f, "userAttributes.")] = v
			if label == "" {
				label = v
			}
		}
	}
	if _, ok := k["userName"]; !ok {
		ev.UserName = label
	}
	return &ev
}
