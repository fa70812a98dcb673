package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/claimsmapper/claimsmapper/internal/mappingfile"
	"github.com/claimsmapper/claimsmapper/mapper"
)

const v1Event = `{"version":"1","triggerSource":"TokenGeneration_Authentication","userName":"ben",
"callerContext":{"clientId":"c"},"request":{"userAttributes":{"email":"ben@example.com"}},"response":{}}`

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseLevel(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]slog.Level{"": slog.LevelInfo, "debug": slog.LevelDebug, "WARN": slog.LevelWarn, "error": slog.LevelError} {
		if got, err := ParseLevel(in); err != nil || got != want {
			t.Errorf("ParseLevel(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseLevel("verbose"); err == nil {
		t.Error("ParseLevel(verbose) accepted")
	}
}

// storeFuncs adapts functions to a mapper.Store.
type storeFuncs struct {
	get func(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error)
}

func (f storeFuncs) GetItem(ctx context.Context, in mapper.GetItemInput) (mapper.Item, error) {
	return f.get(ctx, in)
}

func (f storeFuncs) Query(context.Context, mapper.QueryInput) ([]mapper.Item, error) {
	return nil, errors.New("no queries here")
}

func TestNewHandlerLogsEveryFinding(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	_, err := NewHandler(context.Background(), env(map[string]string{mappingfile.EnvInline: "version: 1\nclaims:\n  a: usr.x\n  b: nope(\n"}), nil, NewLogger(&buf, slog.LevelInfo), nil)
	if err == nil {
		t.Fatal("an invalid mapping loaded")
	}
	if n := strings.Count(buf.String(), `"msg":"invalid mapping"`); n < 2 {
		t.Errorf("%d findings logged, want one line per finding:\n%s", n, buf.String())
	}
	// The init's last line counts them instead of repeating them.
	if got := initFailure(err); strings.Contains(got, "usr") || !strings.Contains(got, "logged above") {
		t.Errorf("the init failure reads %q, want the findings counted, not repeated", got)
	}
}

func TestNewHandlerWithoutMappingSaysWhatToSet(t *testing.T) {
	t.Parallel()
	_, err := NewHandler(context.Background(), env(nil), nil, NewLogger(&bytes.Buffer{}, slog.LevelInfo), nil)
	if err == nil || !strings.Contains(err.Error(), mappingfile.EnvInline) {
		t.Fatalf("error = %v, want it to name %s", err, mappingfile.EnvInline)
	}
}

func TestLoadReadsOnlyTheVariablesTheOperatorAllows(t *testing.T) {
	t.Parallel()
	const secret = "wJalrXUtnFEMI-secret"
	fn := map[string]string{
		"AWS_SECRET_ACCESS_KEY": secret,
		"DB_PASSWORD":           secret,
		"TABLE_NAME":            "Users",
	}
	tests := []struct {
		name, allow, mapping, want string
	}{
		{"an allowed variable loads", "TABLE_NAME", "version: 1\nclaims:\n  t: { const: '${TABLE_NAME}' }\n", ""},
		{"without CLAIMS_MAPPING_ENV nothing is readable", "", "version: 1\nclaims:\n  t: { const: '${TABLE_NAME}' }\n", "${TABLE_NAME} is not allowed"},
		{"a variable not listed fails the init", "TABLE_NAME", "version: 1\nclaims:\n  t: { const: '${DB_PASSWORD}' }\n", "${DB_PASSWORD} is not allowed"},
		{"the credentials are never readable", "TABLE_NAME", "version: 1\nclaims:\n  t: { const: '${AWS_SECRET_ACCESS_KEY}' }\n", "can never read"},
		{"listing a credential fails the init", "TABLE_NAME,AWS_SECRET_ACCESS_KEY", "version: 1\nclaims:\n  t: { const: x }\n", "CLAIMS_MAPPING_ENV: AWS_SECRET_ACCESS_KEY cannot be allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := map[string]string{mappingfile.EnvInline: tt.mapping, "CLAIMS_MAPPING_ENV": tt.allow}
			for k, v := range fn {
				e[k] = v
			}
			var buf bytes.Buffer
			h, err := NewHandler(context.Background(), env(e), nil, NewLogger(&buf, slog.LevelInfo), nil)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := invocation("env", time.Now().Add(5*time.Second))
				defer cancel()
				out, err := h.Invoke(ctx, json.RawMessage(v1Event))
				if err != nil || !strings.Contains(string(out), `"t":"Users"`) {
					t.Errorf("response %s, %v; want t: Users", out, err)
				}
				return
			}
			if err == nil || !strings.Contains(buf.String(), tt.want) {
				t.Fatalf("error %v, log:\n%s\nwant the init failed with %q", err, buf.String(), tt.want)
			}
			if strings.Contains(buf.String(), secret) {
				t.Errorf("the log shows the secret:\n%s", buf.String())
			}
		})
	}
}

// handler compiles mapping over store and logs to buf.
func handler(t *testing.T, mapping string, store mapper.Store, buf *bytes.Buffer, level slog.Level) *Handler {
	t.Helper()
	h, err := NewHandler(context.Background(), env(map[string]string{mappingfile.EnvInline: mapping}), store, NewLogger(buf, level), nil)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func invocation(id string, deadline time.Time) (context.Context, context.CancelFunc) {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: id})
	return context.WithDeadline(ctx, deadline)
}

const userMapping = `version: 1
timeout: 4s
sources:
  user:
    table: Users
    key: {id: event.userName}
    onError: %s
claims:
  firstName: user.first
  age: int(user.first)
`

func TestInvoke(t *testing.T) {
	t.Parallel()
	found := storeFuncs{get: func(context.Context, mapper.GetItemInput) (mapper.Item, error) {
		return mapper.Item{"first": "Secret-Ben"}, nil
	}}
	hanging := storeFuncs{get: func(ctx context.Context, _ mapper.GetItemInput) (mapper.Item, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}}

	t.Run("an answered event carries the claim and info logs keep its value out", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		h := handler(t, strings.Replace(userMapping, "%s", "ignore", 1), found, &buf, slog.LevelInfo)
		ctx, cancel := invocation("req-1", time.Now().Add(3*time.Second))
		defer cancel()
		out, err := h.Invoke(ctx, json.RawMessage(v1Event))
		if err != nil || !strings.Contains(string(out), `"firstName":"Secret-Ben"`) {
			t.Fatalf("got %s, %v", out, err)
		}
		if strings.Contains(buf.String(), "Secret-Ben") || strings.Contains(buf.String(), "ben@example.com") {
			t.Errorf("info log holds user data:\n%s", buf.String())
		}
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if strings.Contains(line, "mapping loaded") {
				continue // init, before any invocation
			}
			if !strings.Contains(line, `"requestId":"req-1"`) {
				t.Errorf("a line lacks the request id: %s", line)
			}
		}
		if !strings.Contains(buf.String(), `"rule":"claims.age"`) {
			t.Errorf("the failed rule is not logged:\n%s", buf.String())
		}
	})

	t.Run("debug logs the event", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		h := handler(t, strings.Replace(userMapping, "%s", "ignore", 1), found, &buf, slog.LevelDebug)
		ctx, cancel := invocation("req-2", time.Now().Add(3*time.Second))
		defer cancel()
		if _, err := h.Invoke(ctx, json.RawMessage(v1Event)); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `"msg":"event received"`) || !strings.Contains(buf.String(), "ben@example.com") {
			t.Errorf("debug log lacks the event:\n%s", buf.String())
		}
	})

	t.Run("lookups stop before the function's deadline", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		// The lookup says which deadline it was given.
		given := make(chan time.Time, 1)
		bounded := storeFuncs{get: func(ctx context.Context, _ mapper.GetItemInput) (mapper.Item, error) {
			d, _ := ctx.Deadline()
			given <- d
			<-ctx.Done()
			return nil, ctx.Err()
		}}
		h := handler(t, strings.Replace(userMapping, "%s", "ignore", 1), bounded, &buf, slog.LevelInfo)
		deadline := time.Now().Add(time.Second)
		ctx, cancel := invocation("req-3", deadline)
		defer cancel()
		out, err := h.Invoke(ctx, json.RawMessage(v1Event))
		if err != nil || !time.Now().Before(deadline) {
			t.Fatalf("answered with %v, inside the deadline: %v; want an answer inside it", err, time.Now().Before(deadline))
		}
		if d := <-given; d.IsZero() || d.After(deadline.Add(-DeadlineMargin)) {
			t.Errorf("the lookup was given until %v, want at most the deadline less the margin, %v", d, deadline.Add(-DeadlineMargin))
		}
		if strings.Contains(string(out), "firstName") {
			t.Errorf("response has the claim of a lookup that never answered: %s", out)
		}
		if !strings.Contains(buf.String(), `"requestId":"req-3"`) || !strings.Contains(buf.String(), "source lookup failed") {
			t.Errorf("the failed lookup is not logged with the request id:\n%s", buf.String())
		}
	})

	t.Run("expressions stop before the function's deadline too", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		// The mapping's own timeout is longer than what the function has
		// left: the function's deadline, less the margin, stops the loop.
		// The work budget would stop the loop well within a second, so the
		// function is invoked with no time left beyond the margin.
		slow := "version: 1\ntimeout: 4s\nclaims:\n  slow: 'let x = 0..40000; all(x, # in x)'\n  fast: '\"fine\"'\n"
		h := handler(t, slow, found, &buf, slog.LevelInfo)
		start := time.Now()
		ctx, cancel := invocation("req-slow", start.Add(DeadlineMargin))
		defer cancel()
		out, err := h.Invoke(ctx, json.RawMessage(v1Event))
		if err != nil {
			t.Fatalf("want an answer, got %v", err)
		}
		// The function's deadline, not the mapping's own 4 s, stopped it
		// (and the log below says a time limit did).
		if took := time.Since(start); took >= 4*time.Second {
			t.Fatalf("answered after %v: the mapping's own timeout, not the function's deadline, stopped it", took)
		}
		if strings.Contains(string(out), "slow") || !strings.Contains(string(out), `"fast":"fine"`) {
			t.Errorf("want the fast claim only: %s", out)
		}
		if !strings.Contains(buf.String(), `"limit":"time"`) {
			t.Errorf("the log does not name the time limit:\n%s", buf.String())
		}
	})

	t.Run("onError fail returns only the safe message", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		h := handler(t, strings.Replace(userMapping, "%s", "fail", 1), hanging, &buf, slog.LevelInfo)
		ctx, cancel := invocation("req-4", time.Now().Add(time.Second))
		defer cancel()
		_, err := h.Invoke(ctx, json.RawMessage(v1Event))
		if err == nil || strings.Contains(err.Error(), "Users") || strings.Contains(err.Error(), "deadline") {
			t.Fatalf("error = %v, want the public message only", err)
		}
		if !strings.Contains(buf.String(), `"msg":"event failed"`) || !strings.Contains(buf.String(), "deadline") {
			t.Errorf("the cause is not logged:\n%s", buf.String())
		}
	})

	t.Run("a malformed event gets a generic message", func(t *testing.T) {
		t.Parallel()
		h := handler(t, strings.Replace(userMapping, "%s", "ignore", 1), found, &bytes.Buffer{}, slog.LevelInfo)
		_, err := h.Invoke(context.Background(), json.RawMessage(`{"version":7}`))
		if err == nil || err.Error() != publicError {
			t.Fatalf("error = %v, want %q", err, publicError)
		}
	})
}
