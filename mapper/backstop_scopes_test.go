package mapper_test

import (
	"context"
	"errors"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// TestBackstopNamesTheFirstScopeRuleThatFails: when a stopped evaluation
// leaves scope rules unfinished, the sign-in fails on the first of them
// whose onError is fail, in the order written, add before suppress.
func TestBackstopNamesTheFirstScopeRuleThatFails(t *testing.T) {
	mp := loadUnbounded(t, "version: 1\ntimeout: 100ms\nclaims:\n  b: '"+spin+"'\nscopes:\n  add:\n"+
		"    - '\"a\"'\n    - { value: '\"b\"', onError: fail }\n    - { value: '\"c\"', onError: fail }\n"+
		"  suppress:\n    - { value: '\"d\"', onError: fail }\n", nil)
	var tr trips
	ctx := mapper.WithBackstop(context.Background(), tr.backstop(0))
	defer func() { <-tr.ended }()
	_, err := mp.Handle(ctx, event(t, "v2"))
	if got := tr.only(t); got.Rule != "claims.b" || !got.Failed {
		t.Errorf("stop %+v, want claims.b failing the sign-in", got)
	}
	var ee *mapper.EventError
	if !errors.As(err, &ee) || ee.Rule != "scopes.add[1].value" {
		t.Fatalf("got %v (rule %q), want the event failed by scopes.add[1].value", err, ee.Rule)
	}
}
