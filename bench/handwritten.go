package bench

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// userAttributes is what the hand-written handler asks the table for: the
// projection a careful developer writes by hand.
var userAttributes = []string{"FirstName", "LastName", "department", "title", "employeeId", "tenantId",
	"plan", "nickname", "locale", "roles", "mfaEnrolled", "loginCount", "country", "active",
	"managerId", "costCenter", "contractType", "privacy"}

// NewHandwritten is the workload as a Go developer writes it: aws-lambda-go's
// V2 event type, one GetItem, type assertions, one map per token.
func NewHandwritten(store mapper.Store) (Handler, error) {
	return func(ctx context.Context, raw []byte) ([]byte, error) {
		var ev events.CognitoEventUserPoolsPreTokenGenV2_0
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		in := userKey(ev.UserName)
		in.Projection = userAttributes
		user, err := store.GetItem(ctx, in)
		if err != nil {
			return nil, err
		}
		idClaims, accessClaims := handwrittenClaims(user)
		idSuppress := []string{"email"}
		if s, _ := user["privacy"].(string); s == "strict" {
			idSuppress = append(idSuppress, "phone_number")
		}
		scopes := []string{}
		plan, hasPlan := user["plan"].(string)
		if active, _ := user["active"].(bool); active && hasPlan {
			scopes = append(scopes, "orders/"+plan)
		}
		ev.Response.ClaimsAndScopeOverrideDetails = events.ClaimsAndScopeOverrideDetailsV2_0{
			IDTokenGeneration: events.IDTokenGenerationV2_0{ClaimsToAddOrOverride: idClaims, ClaimsToSuppress: idSuppress},
			AccessTokenGeneration: events.AccessTokenGenerationV2_0{ClaimsToAddOrOverride: accessClaims,
				ClaimsToSuppress: []string{"email"}, ScopesToAdd: scopes, ScopesToSuppress: []string{}},
			GroupOverrideDetails: ev.Request.GroupConfiguration,
		}
		return json.Marshal(ev)
	}, nil
}

// handwrittenClaims fills the ID token's claims and the access token's,
// which has costCenter too.
func handwrittenClaims(user mapper.Item) (id, access map[string]any) {
	id = make(map[string]any, 20)
	str := func(name string) (string, bool) { s, ok := user[name].(string); return s, ok }
	first, hasFirst := str("FirstName")
	last, hasLast := str("LastName")
	if hasFirst {
		id["firstName"] = first
		id["nickname"] = first
	}
	if hasLast {
		id["lastName"] = last
	}
	if hasFirst && hasLast {
		id["displayName"] = first + " " + last
		if first != "" && last != "" {
			id["initials"] = strings.ToUpper(first[:1] + last[:1])
		}
	}
	if nick, ok := str("nickname"); ok {
		id["nickname"] = nick
	}
	dept, _ := str("department")
	if dept != "" {
		id["department"] = strings.ToUpper(dept)
	}
	if title, ok := str("title"); ok {
		id["title"] = strings.ToLower(strings.TrimSpace(title))
	}
	if v, ok := str("employeeId"); ok {
		id["employeeId"] = v
	}
	if v, ok := str("tenantId"); ok {
		id["tenant"] = "tenant:" + v
	}
	plan, ok := str("plan")
	if !ok {
		plan = "free"
	}
	id["plan"] = plan
	if v, ok := str("locale"); ok {
		id["locale"] = strings.ReplaceAll(v, "_", "-")
	}
	roles, _ := user["roles"].([]any)
	appRoles := []any{}
	for _, r := range roles {
		if s, ok := r.(string); ok && strings.HasPrefix(s, "app:") {
			appRoles = append(appRoles, s)
		}
	}
	id["appRoles"] = appRoles
	id["billingAdmin"] = slices.Contains(roles, any("billing-admin"))
	mfa, _ := user["mfaEnrolled"].(bool)
	id["mfa"] = mfa
	if n, ok := user["loginCount"].(int64); ok {
		id["loginCount"] = n
		id["vip"] = n > 100 && plan == "pro"
	}
	if v, ok := str("country"); ok {
		id["country"] = strings.ToUpper(v)
	}
	if m, ok := str("managerId"); ok {
		if active, _ := user["active"].(bool); active {
			id["manager"] = m
		}
	}
	if c, _ := str("contractType"); c == "contractor" {
		id["contractor"] = true
	}
	access = make(map[string]any, len(id)+1)
	for k, v := range id {
		access[k] = v
	}
	if c, ok := str("costCenter"); ok && dept == "finance" {
		access["costCenter"] = c
	}
	return id, access
}
