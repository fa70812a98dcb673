package changes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// maxEventSize is Lambda's limit on a synchronous invocation's payload.
const maxEventSize = 6 << 20

// MaxUsers bounds how many users one comparison examines, whatever the source.
const MaxUsers = 10000

// EventFile is one Cognito event read from a file.
type EventFile struct {
	Path string
	Raw  []byte
}

// ReadEvents reads Cognito events from files and folders (every *.json
// file of a folder, in name order): at most MaxUsers, none larger than
// Lambda would pass, every error in plain words.
func ReadEvents(paths []string) ([]EventFile, error) {
	var files []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cannot read the events %s: %s", p, inlinetest.PlainIOError(err))
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		found, err := filepath.Glob(filepath.Join(p, "*.json"))
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("the folder %s has no event files (*.json)", p)
		}
		sort.Strings(found)
		files = append(files, found...)
	}
	var out []EventFile
	for _, f := range files {
		if len(out) == MaxUsers {
			return nil, fmt.Errorf("more than %d events: compare fewer at a time", MaxUsers)
		}
		if st, err := os.Stat(f); err == nil && st.Size() > maxEventSize {
			return nil, fmt.Errorf("%s is %d bytes, larger than any Cognito event (Lambda takes at most %d): is it an event?", f, st.Size(), maxEventSize)
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("cannot read the event %s: %s", f, inlinetest.PlainIOError(err))
		}
		out = append(out, EventFile{Path: f, Raw: raw})
	}
	return out, nil
}

// Events reads Cognito events from files and folders, as ReadEvents, and
// decodes each into a user's sign-in.
func Events(paths []string) ([]Case, error) {
	files, err := ReadEvents(paths)
	if err != nil {
		return nil, err
	}
	out := make([]Case, 0, len(files))
	for _, f := range files {
		ev, err := mapper.DecodeEvent(f.Raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Path, err)
		}
		out = append(out, Case{User: userLabel(ev, f.Path), Event: ev})
	}
	return out, nil
}

func userLabel(ev *mapper.Event, fallback string) string {
	switch {
	case ev.UserName != "":
		return ev.UserName
	case ev.ClientCredentials() && ev.ClientID != "":
		return "client " + ev.ClientID
	}
	return fallback
}

// Key is how one user is found: event fields ("userName",
// "userAttributes.sub", …) and their values.
type Key map[string]string

// Label is what a user is called: the user name, or else the first user
// attribute the key sets (a sub, an email); an empty one names no one. An
// event built from the key (SignInAs) carries it as its userName.
func (k Key) Label() string {
	if n := k["userName"]; n != "" {
		return n
	}
	for _, field := range attrNames(k) {
		if strings.HasPrefix(field, "userAttributes.") && k[field] != "" {
			return k[field]
		}
	}
	return ""
}

var uuidLike = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ParseUsers reads a users file: one user name or sub per line; blank lines
// and lines starting with # are skipped. A line that looks like a UUID is
// a sub, and also the user name, as in pools that sign in by email.
func ParseUsers(name string, src []byte) ([]Key, error) {
	var out []Key
	sc := bufio.NewScanner(bytes.NewReader(src))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if strings.ContainsAny(s, " \t,;") {
			return nil, fmt.Errorf("%s:%d: %q: put one user name or sub per line", name, line, s)
		}
		if len(out) == MaxUsers {
			return nil, fmt.Errorf("%s: more than %d users: compare fewer at a time", name, MaxUsers)
		}
		k := Key{"userName": s}
		if uuidLike.MatchString(s) {
			k["userAttributes.sub"] = s
		}
		out = append(out, k)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no users: put one user name or sub per line", name)
	}
	return out, nil
}

// UserTable is the table the mapping reads the signing-in user from, and
// which event field each of its key attributes comes from: the first
// source whose key is read straight from the event, like
// `key: { userName: event.userName }`.
type UserTable struct {
	Table string
	// Fields maps a key attribute to an event field: "userName",
	// "clientId" or "userAttributes.NAME".
	Fields map[string]string
	// Prefixes holds, for a key written as "USER#" + event.userName (a
	// single-table design), the text before the event field.
	Prefixes map[string]string
}

var eventField = regexp.MustCompile(`^event\.(userName|clientId|userAttributes(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*"([^"]+)"\s*\]|\[\s*'([^']+)'\s*\]))$`)

// FindUserTable looks for the user table in a mapping. table, when set,
// picks the table; otherwise the first source keyed by the event wins.
func FindUserTable(m *config.Mapping, table string) (UserTable, bool) {
	for _, s := range m.Sources {
		if table != "" && s.Table != table {
			continue
		}
		kvs := s.Key
		if s.Query != nil {
			kvs = []config.KeyValue{s.Query.Partition}
		}
		ut := UserTable{Table: s.Table, Fields: map[string]string{}, Prefixes: map[string]string{}}
		for _, kv := range kvs {
			if f, prefix := fieldOf(kv.Value); f != "" {
				ut.Fields[kv.Attr] = f
				if prefix != "" {
					ut.Prefixes[kv.Attr] = prefix
				}
			}
		}
		if len(ut.Fields) > 0 && s.Query == nil {
			return ut, true
		}
	}
	return UserTable{}, false
}

var prefixed = regexp.MustCompile(`^(?:"([^"\\]*)"|'([^'\\]*)')\s*\+\s*(.+)$`)

// fieldOf says which event field a key expression reads, and the text put
// before it, if any: event.userName, or "USER#" + event.userName.
func fieldOf(e *config.Expr) (field, prefix string) {
	if e == nil {
		return "", ""
	}
	code := strings.TrimSpace(e.Code)
	if m := prefixed.FindStringSubmatch(code); m != nil {
		prefix, code = m[1]+m[2], strings.TrimSpace(m[3])
	}
	m := eventField.FindStringSubmatch(code)
	switch {
	case m == nil:
		return "", ""
	case m[2] != "":
		return "userAttributes." + m[2], prefix
	case m[3] != "":
		return "userAttributes." + m[3], prefix
	case m[4] != "":
		return "userAttributes." + m[4], prefix
	}
	return m[1], prefix
}

// KeysFromItems turns items of the user table into user keys, through the
// key attributes the mapping reads from the event. Without a mapping hint
// for the table, attributes named sub, userName or username are used.
func KeysFromItems(items []mapper.Item, ut UserTable) ([]Key, error) {
	fields := ut.Fields
	if len(fields) == 0 {
		fields = map[string]string{"sub": "userAttributes.sub", "userName": "userName", "username": "userName"}
	}
	var out []Key
	for _, it := range items {
		k := Key{}
		for attr, field := range fields {
			v, ok := it[attr]
			if !ok {
				continue
			}
			s := fmt.Sprint(v)
			if p := ut.Prefixes[attr]; p != "" {
				// Items of other kinds share the table in a single-table design.
				if !strings.HasPrefix(s, p) {
					continue
				}
				s = strings.TrimPrefix(s, p)
			}
			k[field] = s
		}
		if len(k) == 0 {
			continue
		}
		if len(out) == MaxUsers {
			return nil, fmt.Errorf("more than %d users: compare fewer at a time", MaxUsers)
		}
		out = append(out, k)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no item of table %q has the key the mapping reads the user by (%s)", ut.Table, strings.Join(attrNames(fields), ", "))
	}
	return out, nil
}

func attrNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// DefaultTemplate is the event users are expanded into when no template is
// given: a version 2 sign-in through the hosted UI, no groups.
var DefaultTemplate = []byte(`{
  "version": "2",
  "triggerSource": "TokenGeneration_HostedAuth",
  "region": "us-east-1",
  "userPoolId": "us-east-1_EXAMPLE",
  "userName": "",
  "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "example-client"},
  "request": {
    "userAttributes": {},
    "groupConfiguration": {"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null},
    "scopes": ["openid", "profile", "email"]
  },
  "response": {"claimsAndScopeOverrideDetails": null}
}`)

// Expand makes one event per user from a template event: the user's key
// fields replace the template's userName, clientId and user attributes.
// The template's other user attributes are dropped, since they belong to
// the template's user; sub is kept only when the key sets it.
func Expand(template []byte, keys []Key) ([]Case, error) {
	if _, err := mapper.DecodeEvent(template); err != nil {
		return nil, fmt.Errorf("the template event: %w", err)
	}
	out := make([]Case, 0, len(keys))
	for _, k := range keys {
		raw, label, err := SignInAs(template, k)
		if err != nil {
			return nil, err
		}
		ev, err := mapper.DecodeEvent(raw)
		if err != nil {
			return nil, fmt.Errorf("the event for user %q: %w", label, err)
		}
		out = append(out, Case{User: label, Event: ev})
	}
	return out, nil
}

// SignInAs rewrites an event as the sign-in of the user k names, as Expand
// does for each user, and returns it with the user's name.
func SignInAs(template []byte, k Key) (raw []byte, label string, err error) {
	doc, err := eventObject(template)
	if err != nil {
		return nil, "", err
	}
	req, _ := doc["request"].(map[string]any)
	if req == nil {
		req = map[string]any{}
		doc["request"] = req
	}
	attrs := map[string]any{}
	req["userAttributes"] = attrs
	label = k.Label()
	doc["userName"] = label
	for field, v := range k {
		switch {
		case field == "clientId":
			cc, _ := doc["callerContext"].(map[string]any)
			if cc == nil {
				cc = map[string]any{}
				doc["callerContext"] = cc
			}
			cc["clientId"] = v
		case strings.HasPrefix(field, "userAttributes."):
			attrs[strings.TrimPrefix(field, "userAttributes.")] = v
		}
	}
	raw, err = json.Marshal(doc)
	return raw, label, err
}

// eventObject reads an event's JSON as an object to rewrite. What is not an
// object (a list, null, bad JSON) is told in DecodeEvent's words, never in
// Go types, and never comes back as a nil map that a rewrite would panic on.
func eventObject(raw []byte) (map[string]any, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err == nil && doc != nil {
		return doc, nil
	}
	if _, err := mapper.DecodeEvent(raw); err != nil {
		return nil, err
	}
	return nil, errors.New("the event should be a JSON object")
}

// WithGroups sets the groups an event's user is in: the request's
// groupConfiguration.groupsToOverride, which expressions read as
// event.groups, in every trigger version.
func WithGroups(event []byte, groups []string) ([]byte, error) {
	doc, err := eventObject(event)
	if err != nil {
		return nil, err
	}
	req, _ := doc["request"].(map[string]any)
	if req == nil {
		req = map[string]any{}
		doc["request"] = req
	}
	gc, _ := req["groupConfiguration"].(map[string]any)
	if gc == nil {
		gc = map[string]any{"iamRolesToOverride": []any{}, "preferredRole": nil}
		req["groupConfiguration"] = gc
	}
	if groups == nil {
		groups = []string{}
	}
	gc["groupsToOverride"] = groups
	return json.Marshal(doc)
}

// NameKey is the key of the user a name names: the user name and, when the
// mapping reads the user by another event field (the sub, an attribute),
// that field too, as --users does with each line.
func NameKey(name string, mappings []*config.Mapping) Key {
	k := Key{"userName": name}
	for _, field := range UserTableOf("", mappings).Fields {
		if _, set := k[field]; !set {
			k[field] = name
		}
	}
	return k
}
