package testenv

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
)

// Cognito is a cognito-local server on loopback: a Cognito user pool API
// that signs users in, runs the Pre Token Generation trigger through a
// Lambda endpoint, and issues RS256 tokens, with a client for setting up
// pools, clients and users.
type Cognito struct {
	// Endpoint is the server's URL; tokens name it in iss, and it serves
	// each pool's keys at /{poolId}/.well-known/jwks.json.
	Endpoint string
	// Client talks to the server with test credentials.
	Client *cognitoidentityprovider.Client
	proc   *process
}

// cognitoLocalConfig is cognito-local's .cognito/config.json: where it
// invokes the Pre Token Generation trigger, and which function.
type cognitoLocalConfig struct {
	LambdaClient struct {
		Endpoint    string            `json:"endpoint"`
		Region      string            `json:"region"`
		Credentials map[string]string `json:"credentials"`
	}
	TriggerFunctions map[string]string
	// UserPoolDefaults apply to every pool created; cognito-local's own
	// make the user name an email address, Cognito's do not.
	UserPoolDefaults struct {
		UsernameAttributes []string
	}
	TokenConfig struct {
		IssuerDomain string
	}
}

// StartCognito starts cognito-local on a free loopback port, its Pre Token
// Generation trigger set to the function the Lambda Invoke API at
// lambdaEndpoint serves (see Function.StartLambdaAPI); it stops when the
// test ends. cognito-local comes from node_modules next to this file (npm
// ci here) and keeps its pools in a temporary folder.
func StartCognito(t testing.TB, lambdaEndpoint string) *Cognito {
	t.Helper()
	Integration(t)
	node, cli := nodeServer(t, "cognito-local", "lib", "bin", "start.js")
	var lastErr error
	// The issuer in every token names the port, so it is chosen here rather
	// than left to the server (port 0 would be in iss); retry on a clash.
	for range 3 {
		port, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
		dir := t.TempDir()
		var cfg cognitoLocalConfig
		cfg.LambdaClient.Endpoint = lambdaEndpoint
		cfg.LambdaClient.Region = "us-east-1"
		cfg.LambdaClient.Credentials = map[string]string{"accessKeyId": "local", "secretAccessKey": "local"}
		cfg.TriggerFunctions = map[string]string{"PreTokenGeneration": LambdaFunctionName}
		cfg.UserPoolDefaults.UsernameAttributes = []string{}
		cfg.TokenConfig.IssuerDomain = endpoint
		b, _ := json.MarshalIndent(cfg, "", "  ")
		if err := os.MkdirAll(filepath.Join(dir, ".cognito"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ".cognito", "config.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(node, cli)
		// It reads .cognito/ from its working directory.
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOST=127.0.0.1", "PORT="+strconv.Itoa(port), "DEBUG=1")
		p, err := startProcess(cmd, "Cognito Local running on", 30*time.Second)
		if err != nil {
			lastErr = err
			continue
		}
		c := &Cognito{Endpoint: endpoint, proc: p}
		c.Client = cognitoidentityprovider.New(cognitoidentityprovider.Options{
			Region:       "us-east-1",
			BaseEndpoint: aws.String(endpoint),
			Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		})
		t.Cleanup(p.stop)
		return c
	}
	Unavailable(t, "cognito-local did not start: %v", lastErr)
	return nil
}

// Output is what the server printed (with DEBUG on: every trigger event it
// sent and what came back).
func (c *Cognito) Output() string { return c.proc.out.String() }
