package mapper_test

import (
	"os"
	"testing"
)

const users = `
tables:
  Users:
    - userName: jdoe
      FirstName: Jane
      LastName: Doe
      age: 42
      score: 4.5
      active: true
      roles: [admin, dev]
      location: { city: Paris, zip: 75001 }
      nothing: null
      tenantId: acme
  Tenants:
    - { tenantId: acme, name: Acme }
  App:
    - { PK: "USER#jdoe", SK: "TENANT#b", role: member }
    - { PK: "USER#jdoe", SK: "TENANT#a", role: owner }
    - { PK: "USER#jdoe", SK: "PROFILE", bio: hi }
`

func event(t *testing.T, version string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/events/" + version + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRules checks each rule of the mapping semantics on one response field.
func TestRules(t *testing.T) {
	t.Parallel()
	const get = "version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: event.userName }\n"
	v2ID := []string{"claimsAndScopeOverrideDetails", "idTokenGeneration"}
	v2Access := []string{"claimsAndScopeOverrideDetails", "accessTokenGeneration"}
	tests := []struct {
		name    string
		mapping string
		event   string // v1, v2 or v3
		path    []string
		want    string
	}{
		{"V1 formats every claim value as text", get + `claims:
  name: user.FirstName
  age: user.age
  score: user.score
  active: user.active
  roles: user.roles
  location: user.location
`, "v2-as-v1", []string{"claimsOverrideDetails", "claimsToAddOrOverride"},
			`{"active":"true","age":"42","location":"{\"city\":\"Paris\",\"zip\":75001}","name":"Jane","roles":"[\"admin\",\"dev\"]","score":"4.5"}`},
		{"V2 keeps every claim value in its JSON type", get + `claims:
  age: user.age
  score: user.score
  active: user.active
  roles: user.roles
  location: user.location
`, "v2", append(v2ID, "claimsToAddOrOverride"),
			`{"active":true,"age":42,"location":{"city":"Paris","zip":75001},"roles":["admin","dev"],"score":4.5}`},
		{"a claim whose value is nil is left out", get + "claims:\n  a: user.nothing\n  b: user.missing\n  c: '1'\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"c":1}`},
		{"a claim whose when is false is left out", get + "claims:\n  a: { value: '1', when: 'user.age > 50' }\n  b: { value: '2', when: 'user.age < 50' }\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"b":2}`},
		{"tokens: [id] keeps a claim out of the access token", get + "claims:\n  a: { value: '1', tokens: [id] }\n  b: { value: '2', tokens: [access] }\n",
			"v2", append(v2Access, "claimsToAddOrOverride"), `{"b":2}`},
		{"V1 events get no access-token-only claims", get + "claims:\n  a: { value: '1', tokens: [id] }\n  b: { value: '2', tokens: [access] }\n",
			"v2-as-v1", []string{"claimsOverrideDetails", "claimsToAddOrOverride"}, `{"a":"1"}`},
		{"const takes any YAML literal", "version: 1\nclaims:\n  plan: { const: free }\n  limits: { const: { seats: 5, tags: [a, b] } }\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"limits":{"seats":5,"tags":["a","b"]},"plan":"free"}`},
		{"a source that found nothing reads as nil", "version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: '\"nobody\"' }\nclaims:\n  missing: user == nil\n  name: user.FirstName ?? \"anonymous\"\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"missing":true,"name":"anonymous"}`},
		{"a source that found nothing, used whole, leaves the claim out", "version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: '\"nobody\"' }\n  m:\n    table: App\n    query: { partition: { PK: '\"nobody\"' } }\nclaims:\n  whole: user\n  rows: m\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"rows":[]}`},
		{"under V1 a source that found nothing leaves the claim out too", "version: 1\nsources:\n  user:\n    table: Users\n    key: { userName: '\"nobody\"' }\nclaims:\n  whole: user\n  keys: keys(user ?? {})\n",
			"v2-as-v1", []string{"claimsOverrideDetails", "claimsToAddOrOverride"}, `{"keys":"[]"}`},
		{"a query that was skipped is an empty list", "version: 1\nsources:\n  m:\n    table: App\n    query: { partition: { PK: event.userName } }\n    when: 'false'\nclaims:\n  rows: m\n  n: len(m)\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"n":0,"rows":[]}`},
		{"constants mean what they say", "version: 1\nclaims:\n  day: { const: 2024-01-01 }\n  at: { const: 2024-01-01T10:00:00Z }\n  yes: { const: yes }\n  big: { const: '12345678901234567890' }\n  n: { const: 42 }\n  bin: { const: !!binary aGVsbG8= }\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"at":"2024-01-01T10:00:00Z","big":"12345678901234567890","bin":"aGVsbG8=","day":"2024-01-01","n":42,"yes":"yes"}`},
		{"a time becomes RFC 3339 text in UTC", "version: 1\nclaims:\n  at: date(\"2024-01-01T10:00:00+02:00\")\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"at":"2024-01-01T08:00:00Z"}`},
		{"a query without sortBeginsWith is in sort-key order too", "version: 1\nsources:\n  m:\n    table: App\n    query: { partition: { PK: '\"USER#\" + event.userName' } }\nclaims:\n  first: first(m).SK\n  all: map(m, .SK)\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"all":["PROFILE","TENANT#a","TENANT#b"],"first":"PROFILE"}`},
		{"a failing claim is omitted by default", get + "claims:\n  bad: int(user.FirstName)\n  good: user.FirstName\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"good":"Jane"}`},
		{"suppress lists claims for both tokens by default", "version: 1\nsuppress:\n  - email\n  - claim: nickname\n    tokens: [access]\n  - claim: phone_number\n    when: event.clientId == \"other\"\n",
			"v2", append(v2ID, "claimsToSuppress"), `["email"]`},
		{"suppress applies to the access token too", "version: 1\nsuppress:\n  - email\n  - claim: nickname\n    tokens: [access]\n",
			"v2", append(v2Access, "claimsToSuppress"), `["email","nickname"]`},
		{"without groups the request's groups are copied", "version: 1\nclaims: {}\n",
			"v2", []string{"claimsAndScopeOverrideDetails", "groupOverrideDetails"},
			`{"groupsToOverride":["readers","editors"],"iamRolesToOverride":[],"preferredRole":null}`},
		{"groups override what the mapping names and keeps the rest", get + "groups:\n  override: user.roles\n  preferredRole: '\"arn:role/x\"'\n",
			"v2", []string{"claimsAndScopeOverrideDetails", "groupOverrideDetails"},
			`{"groupsToOverride":["admin","dev"],"iamRolesToOverride":[],"preferredRole":"arn:role/x"}`},
		{"a groups expression yielding nil keeps the request's groups", get + "groups:\n  override: user.missing\n",
			"v2", []string{"claimsAndScopeOverrideDetails", "groupOverrideDetails", "groupsToOverride"}, `["readers","editors"]`},
		{"scopes are added and suppressed, and a scope with a space is dropped", get + "scopes:\n  add:\n    - '\"tenant:\" + user.tenantId'\n    - '\"bad \" + \"scope\"'\n    - value: '[\"a\", \"b\"]'\n      when: user.active\n  suppress: ['\"aws.cognito.signin.user.admin\"']\n",
			"v2", v2Access, `{"claimsToAddOrOverride":{},"claimsToSuppress":[],"scopesToAdd":["tenant:acme","a","b"],"scopesToSuppress":["aws.cognito.signin.user.admin"]}`},
		{"a query source is a list in sort-key order", "version: 1\nsources:\n  m:\n    table: App\n    query:\n      partition: { PK: '\"USER#\" + event.userName' }\n      sortBeginsWith: { SK: '\"TENANT#\"' }\nclaims:\n  tenants: map(m, {#.SK[7:]})\n  roles: map(m, .role)\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"roles":["owner","member"],"tenants":["a","b"]}`},
		{"a query source honours limit", "version: 1\nsources:\n  m:\n    table: App\n    query:\n      partition: { PK: '\"USER#\" + event.userName' }\n    limit: 1\nclaims:\n  n: len(m)\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"n":1}`},
		{"a dependent source is looked up with what it depends on", get + "  tenant:\n    table: Tenants\n    key: { tenantId: user.tenantId }\n    when: user?.tenantId != nil\nclaims:\n  tenant: tenant.name\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{"tenant":"Acme"}`},
		{"a simple-only ID claim with a list value stays out of the ID token", get + "claims:\n  email_verified: user.roles\n",
			"v2", append(v2ID, "claimsToAddOrOverride"), `{}`},
		{"aud equal to the app client id stays out of the access token", "version: 1\nclaims:\n  aud: { value: event.clientId, tokens: [access] }\n",
			"v2", append(v2Access, "claimsToAddOrOverride"), `{}`},
		{"a client-credentials event has no ID token output", "version: 1\nclaims:\n  tenant: event.clientMetadata.tenant\n",
			"v3", []string{"claimsAndScopeOverrideDetails"},
			`{"accessTokenGeneration":{"claimsToAddOrOverride":{"tenant":"acme"},"claimsToSuppress":[],"scopesToAdd":[],"scopesToSuppress":[]},"groupOverrideDetails":{"groupsToOverride":[],"iamRolesToOverride":[],"preferredRole":null}}`},
		{"a client-credentials event looks up nothing by its empty user name", get + "claims:\n  found: user != nil\n",
			"v3", []string{"claimsAndScopeOverrideDetails", "accessTokenGeneration", "claimsToAddOrOverride"}, `{"found":false}`},
		{"event fields are readable in expressions", "version: 1\nclaims:\n  s: 'event.triggerSource + \"/\" + event.region + \"/\" + event.userPoolId + \"/\" + event.userName'\n  dept: event.userAttributes[\"custom:department\"]\n  groups: event.groups\n  scopes: len(event.scopes)\n  none: event.userAttributes.nickname ?? \"none\"\n",
			"v2", append(v2ID, "claimsToAddOrOverride"),
			`{"dept":"finance","groups":["readers","editors"],"none":"none","s":"TokenGeneration_HostedAuth/us-east-1/us-east-1_EXAMPLE/jdoe","scopes":4}`},
	}
	store := tables(t, users)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mp := load(t, tt.mapping, store)
			ev := event(t, tt.event)
			resp := handle(t, mp, ev)
			if got := jsonText(dig(resp, tt.path...)); got != tt.want {
				t.Errorf("%v =\n  %s\nwant\n  %s", tt.path, got, tt.want)
			}
		})
	}
}
