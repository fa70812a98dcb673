package integration

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/claimsmapper/claimsmapper/internal/authoring"
	"github.com/claimsmapper/claimsmapper/internal/testenv"
)

// cognitoMapping is what the sign-ins below run: claims from the users
// table, a suppressed claim, a group override, and a source that fails the
// sign-in of one user (its table does not exist).
const cognitoMapping = `version: 1
triggerVersion: V1_0
sources:
  user:
    table: ${TABLE_NAME}
    key:
      userName: event.userName
  audit:
    table: NoSuchTable
    key:
      userName: event.userName
    when: event.userName == "mallory"
    onError: fail
claims:
  firstName: user.FirstName
  plan: user.Plan
  flow: event.triggerSource
  audited: audit.at
suppress:
  - email
groups:
  override: user.Groups
`

// TestCognitoSignIn signs users in through cognito-local, a Cognito user
// pool emulator, whose Pre Token Generation trigger is the function under
// the Lambda emulator reading dynalite: the real AWS SDK's InitiateAuth and
// AdminInitiateAuth, tokens checked against the pool's keys.
func TestCognitoSignIn(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrap(t, t.TempDir())
	db := testenv.StartDynamoDB(t)
	db.CreateTable(t, testenv.Table{Name: "Users", PK: "userName"})
	db.Put(t, "Users",
		map[string]any{"userName": "alice", "FirstName": "Alice", "Plan": "pro", "Groups": []string{"admins", "staff"}},
		map[string]any{"userName": "mallory", "FirstName": "Mallory", "Plan": "free"})
	fn := testenv.StartFunction(t, bootstrap, functionEnv(db.Endpoint, cognitoMapping, "TABLE_NAME", "Users"))
	lambdaAPI := fn.StartLambdaAPI(t)
	cg := testenv.StartCognito(t, lambdaAPI.URL)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	poolID, clientID := createPool(ctx, t, cg, "alice", "bob", "mallory")
	keys := poolKeys(t, cg.Endpoint, poolID)
	issuer := cg.Endpoint + "/" + poolID

	signIn := func(t *testing.T, admin bool, user string) (*types.AuthenticationResultType, error) {
		t.Helper()
		params := map[string]string{"USERNAME": user, "PASSWORD": password}
		if admin {
			out, err := cg.Client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
				UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: params,
			})
			if err != nil {
				return nil, err
			}
			return out.AuthenticationResult, nil
		}
		out, err := cg.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth, AuthParameters: params})
		if err != nil {
			return nil, err
		}
		return out.AuthenticationResult, nil
	}
	// idToken checks the ID token's signature against the pool's keys and
	// its issuer, audience and use, and returns its claims.
	idToken := func(t *testing.T, res *types.AuthenticationResultType) map[string]any {
		t.Helper()
		if res == nil || res.IdToken == nil {
			t.Fatal("no ID token issued")
		}
		claims := verifyJWT(t, aws.ToString(res.IdToken), keys)
		if claims["iss"] != issuer || claims["aud"] != clientID || claims["token_use"] != "id" {
			t.Errorf("iss %v, aud %v, token_use %v; want %s, %s, id", claims["iss"], claims["aud"], claims["token_use"], issuer, clientID)
		}
		return claims
	}

	for _, admin := range []bool{false, true} {
		api := map[bool]string{false: "InitiateAuth", true: "AdminInitiateAuth"}[admin]
		t.Run(api+": a user in the table gets the mapped claims, without the suppressed one", func(t *testing.T) {
			lambdaAPI.Calls()
			res, err := signIn(t, admin, "alice")
			if err != nil {
				t.Fatalf("sign-in failed: %v\n%s", err, fn.Output())
			}
			claims := idToken(t, res)
			if claims["firstName"] != "Alice" || claims["plan"] != "pro" || claims["flow"] != "TokenGeneration_Authentication" {
				t.Errorf("firstName %v, plan %v, flow %v; want Alice, pro, TokenGeneration_Authentication", claims["firstName"], claims["plan"], claims["flow"])
			}
			if claims["cognito:username"] != "alice" {
				t.Errorf("cognito:username %v, want alice", claims["cognito:username"])
			}
			// cognito-local puts the user's email in every ID token; the
			// mapping suppresses it.
			if _, ok := claims["email"]; ok {
				t.Errorf("email %v is in the token, but the mapping suppresses it", claims["email"])
			}
			if _, ok := claims["audited"]; ok {
				t.Errorf("audited is in the token, but its source only runs for mallory")
			}

			// What cognito-local sent, and what it does not apply.
			calls := lambdaAPI.Calls()
			if len(calls) != 1 {
				t.Fatalf("%d invocations, want 1", len(calls))
			}
			ev := decode(t, calls[0].Event)
			if ev["version"] != "0" || ev["userName"] != "alice" || ev["userPoolId"] != poolID {
				t.Errorf("cognito-local sent version %v, userName %v, userPoolId %v", ev["version"], ev["userName"], ev["userPoolId"])
			}
			// cognito-local ignores groupOverrideDetails: the token has no
			// cognito:groups, so the response is checked instead.
			t.Log("cognito-local does not apply groupOverrideDetails; checking the function's response for the groups")
			resp := decode(t, calls[0].Response)
			if got := dig(resp, "response", "claimsOverrideDetails", "groupOverrideDetails", "groupsToOverride"); fmt.Sprint(got) != "[admins staff]" {
				t.Errorf("groupsToOverride = %v, want [admins staff]", got)
			}
			if _, ok := claims["cognito:groups"]; ok {
				t.Logf("cognito-local now applies groups: cognito:groups = %v", claims["cognito:groups"])
			}
		})
	}

	t.Run("a user missing from the table signs in, without the table's claims", func(t *testing.T) {
		res, err := signIn(t, false, "bob")
		if err != nil {
			t.Fatalf("sign-in failed: %v\n%s", err, fn.Output())
		}
		claims := idToken(t, res)
		for _, c := range []string{"firstName", "plan", "email"} {
			if v, ok := claims[c]; ok {
				t.Errorf("%s = %v, want it absent for a user the table does not have", c, v)
			}
		}
		if claims["flow"] != "TokenGeneration_Authentication" || claims["cognito:username"] != "bob" {
			t.Errorf("flow %v, cognito:username %v: the trigger did not run for bob", claims["flow"], claims["cognito:username"])
		}
	})

	t.Run("onError: fail refuses the sign-in with the mapping's public message", func(t *testing.T) {
		for _, admin := range []bool{false, true} {
			lambdaAPI.Calls()
			res, err := signIn(t, admin, "mallory")
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("admin %v: sign-in gave tokens (%v) or a non-API error %v; want it refused", admin, res != nil, err)
			}
			if apiErr.ErrorCode() != "UserLambdaValidationException" || !strings.Contains(apiErr.ErrorMessage(), "failed with error could not load your profile, try again") {
				t.Errorf("admin %v: error %s: %s; want UserLambdaValidationException with the public message", admin, apiErr.ErrorCode(), apiErr.ErrorMessage())
			}
			if strings.Contains(apiErr.ErrorMessage(), "NoSuchTable") || strings.Contains(apiErr.ErrorMessage(), "ResourceNotFound") {
				t.Errorf("the user sees the cause: %s", apiErr.ErrorMessage())
			}
			calls := lambdaAPI.Calls()
			if len(calls) != 1 || calls[0].FunctionError != "Unhandled" {
				t.Errorf("%d invocations, want one function error", len(calls))
				for _, c := range calls {
					t.Logf("error %q: %s", c.FunctionError, c.Response)
				}
			}
		}
		if logs := fn.WaitOutput(`"msg":"event failed"`, 3*time.Second); !strings.Contains(logs, `"rule":"sources.audit"`) {
			t.Errorf("the failed source is not logged:\n%s", logs)
		}
	})

	t.Run("a refresh after the item changed gets the new value", func(t *testing.T) {
		res, err := signIn(t, true, "alice")
		if err != nil {
			t.Fatalf("sign-in failed: %v", err)
		}
		if c := idToken(t, res); c["plan"] != "pro" {
			t.Fatalf("plan %v before the change, want pro", c["plan"])
		}
		db.Put(t, "Users", map[string]any{"userName": "alice", "FirstName": "Alicia", "Plan": "enterprise", "Groups": []string{"admins"}})
		out, err := cg.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)},
		})
		if err != nil {
			t.Fatalf("refresh failed: %v\n%s", err, fn.Output())
		}
		claims := idToken(t, out.AuthenticationResult)
		if claims["firstName"] != "Alicia" || claims["plan"] != "enterprise" || claims["flow"] != "TokenGeneration_RefreshTokens" {
			t.Errorf("after the refresh: firstName %v, plan %v, flow %v; want Alicia, enterprise, TokenGeneration_RefreshTokens", claims["firstName"], claims["plan"], claims["flow"])
		}
	})

	t.Run("a token whose signature does not match the pool's keys is refused by the check", func(t *testing.T) {
		res, err := signIn(t, false, "bob")
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(aws.ToString(res.IdToken), ".")
		payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
		forged := strings.Replace(string(payload), `"bob"`, `"eve"`, 1)
		token := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(forged)) + "." + parts[2]
		if _, err := checkJWT(token, keys); err == nil || !strings.Contains(err.Error(), "signature") {
			t.Errorf("a forged token passed the check: %v", err)
		}
	})

	t.Run("V2 and V3: cognito-local sends only V1 events, so the function's answer to them is checked", func(t *testing.T) {
		t.Log("cognito-local sends every event as version \"0\" (V1) and applies only claimsOverrideDetails: the V2 and V3 responses are checked as the function returns them")
		db.Put(t, "Users", map[string]any{"userName": "alice", "FirstName": "Alice", "Plan": "pro", "Groups": []string{"admins", "staff"}})
		lambdaAPI.Calls()
		if _, err := signIn(t, false, "alice"); err != nil {
			t.Fatal(err)
		}
		calls := lambdaAPI.Calls()
		if len(calls) != 1 {
			t.Fatalf("%d invocations, want 1", len(calls))
		}
		for _, v := range []string{"2", "3"} {
			ev, err := authoring.WithVersion(calls[0].Event, v)
			if err != nil {
				t.Fatal(err)
			}
			inv := fn.Invoke(t, "v"+v, ev)
			if inv.Status != 200 {
				t.Fatalf("V%s: status %d: %s", v, inv.Status, inv.Body)
			}
			resp := decode(t, inv.Body)
			details := dig(resp, "response", "claimsAndScopeOverrideDetails")
			id := dig(details, "idTokenGeneration", "claimsToAddOrOverride")
			if fmt.Sprint(id) != "map[firstName:Alice flow:TokenGeneration_Authentication plan:pro]" {
				t.Errorf("V%s ID token claims %v", v, id)
			}
			if got := dig(details, "idTokenGeneration", "claimsToSuppress"); fmt.Sprint(got) != "[email]" {
				t.Errorf("V%s suppressed %v, want [email]", v, got)
			}
			if got := dig(details, "groupOverrideDetails", "groupsToOverride"); fmt.Sprint(got) != "[admins staff]" {
				t.Errorf("V%s groups %v, want [admins staff]", v, got)
			}
		}
	})
}

// TestCognitoLocalStraightToTheEmulator runs the configuration the README
// gives for testing locally: cognito-local's Lambda client pointed at the
// runtime emulator itself, with no proxy between them. A sign-in works; a
// refused one reaches the user as an UnknownError, not the mapping's
// message, because the emulator does not mark a function's error as Lambda
// does (X-Amz-Function-Error), which the README says.
func TestCognitoLocalStraightToTheEmulator(t *testing.T) {
	testenv.Integration(t)
	bootstrap := testenv.BuildBootstrap(t, t.TempDir())
	db := testenv.StartDynamoDB(t)
	db.CreateTable(t, testenv.Table{Name: "Users", PK: "userName"})
	db.Put(t, "Users", map[string]any{"userName": "alice", "FirstName": "Alice", "Plan": "pro"})
	fn := testenv.StartFunction(t, bootstrap, functionEnv(db.Endpoint, cognitoMapping, "TABLE_NAME", "Users"))
	cg := testenv.StartCognito(t, fn.Endpoint())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	poolID, clientID := createPool(ctx, t, cg, "alice", "mallory")
	keys := poolKeys(t, cg.Endpoint, poolID)
	signIn := func(user string) (*cip.InitiateAuthOutput, error) {
		return cg.Client.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": password}})
	}
	out, err := signIn("alice")
	if err != nil {
		t.Fatalf("sign-in failed: %v\n%s", err, fn.Output())
	}
	claims := verifyJWT(t, aws.ToString(out.AuthenticationResult.IdToken), keys)
	if claims["firstName"] != "Alice" || claims["plan"] != "pro" {
		t.Errorf("firstName %v, plan %v; want Alice, pro", claims["firstName"], claims["plan"])
	}
	_, err = signIn("mallory")
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("mallory signed in (%v); the mapping refuses her", err)
	}
	if strings.Contains(apiErr.ErrorMessage(), "could not load your profile") {
		t.Logf("the emulator now marks a function's error; README's Testing locally can drop its note: %s", apiErr.ErrorMessage())
	} else if apiErr.ErrorCode() != "UnknownError" {
		t.Errorf("refused sign-in: %s: %s; README's Testing locally says UnknownError", apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

const password = "Passw0rd!-not-a-secret"

// createPool creates a pool, an app client that may sign in with a
// password and refresh, and the users (each with an email address and the
// password), and returns the pool's and the client's ids.
func createPool(ctx context.Context, t *testing.T, cg *testenv.Cognito, users ...string) (poolID, clientID string) {
	t.Helper()
	pool, err := cg.Client.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("claimsmapper-test")})
	if err != nil {
		t.Fatalf("create pool: %v\n%s", err, cg.Output())
	}
	poolID = aws.ToString(pool.UserPool.Id)
	client, err := cg.Client.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(poolID), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth},
	})
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	for _, u := range users {
		if _, err := cg.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
			UserPoolId: aws.String(poolID), Username: aws.String(u), MessageAction: types.MessageActionTypeSuppress,
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(u + "@example.com")}},
		}); err != nil {
			t.Fatalf("create user %s: %v", u, err)
		}
		if _, err := cg.Client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
			UserPoolId: aws.String(poolID), Username: aws.String(u), Password: aws.String(password), Permanent: true,
		}); err != nil {
			t.Fatalf("set password of %s: %v", u, err)
		}
	}
	return poolID, aws.ToString(client.UserPoolClient.ClientId)
}

// jwk is one RSA key of a JWKS document.
type jwk struct {
	Kid, Kty, Alg, N, E string
}

// poolKeys reads the pool's signing keys from its JWKS endpoint.
func poolKeys(t *testing.T, endpoint, poolID string) map[string]*rsa.PublicKey {
	t.Helper()
	resp, err := http.Get(endpoint + "/" + poolID + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var doc struct{ Keys []jwk }
	if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("JWKS: status %d, %v: %s", resp.StatusCode, err, body)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range doc.Keys {
		if k.Kty != "RSA" {
			continue
		}
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		e, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil {
			t.Fatalf("key %q is not base64url", k.Kid)
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
	}
	if len(keys) == 0 {
		t.Fatalf("the pool publishes no RSA key: %s", body)
	}
	return keys
}

// verifyJWT checks an RS256 token against the keys and returns its claims.
func verifyJWT(t *testing.T, token string, keys map[string]*rsa.PublicKey) map[string]any {
	t.Helper()
	claims, err := checkJWT(token, keys)
	if err != nil {
		t.Fatal(err)
	}
	return claims
}

func checkJWT(token string, keys map[string]*rsa.PublicKey) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("a JWT has 3 parts, this one %d", len(parts))
	}
	var header struct{ Alg, Kid string }
	h, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil || json.Unmarshal(h, &header) != nil {
		return nil, fmt.Errorf("bad header %q", parts[0])
	}
	key, ok := keys[header.Kid]
	if header.Alg != "RS256" || !ok {
		return nil, fmt.Errorf("alg %q, kid %q: want RS256 and a key of the pool (%v)", header.Alg, header.Kid, slices.Sorted(maps.Keys(keys)))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("bad signature encoding: %v", err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], sig); err != nil {
		return nil, fmt.Errorf("the signature does not match the pool's key %q: %v", header.Kid, err)
	}
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("bad payload encoding: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(p, &claims); err != nil {
		return nil, fmt.Errorf("payload is not JSON: %v", err)
	}
	if exp, ok := claims["exp"].(float64); !ok || time.Unix(int64(exp), 0).Before(time.Now()) {
		return nil, fmt.Errorf("exp %v: expired or missing", claims["exp"])
	}
	return claims, nil
}
