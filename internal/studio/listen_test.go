package studio

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestListenServeAndStop(t *testing.T) {
	t.Parallel()
	srv := &Server{hosts: map[string]bool{}, token: "t"}
	if _, _, err := srv.Listen("256.0.0.1:0"); err == nil || !strings.HasPrefix(err.Error(), "cannot listen on 256.0.0.1:0: ") {
		t.Errorf("a bad address: %v", err)
	}
	ln, remote, err := srv.Listen("127.0.0.1:0")
	if err != nil || remote {
		t.Fatalf("loopback: remote %v, err %v", remote, err)
	}
	if !srv.hosts[ln.Addr().String()] || !srv.hosts["localhost:"+strings.Split(ln.Addr().String(), ":")[1]] {
		t.Errorf("the listener's address is not allowed: %v", srv.hosts)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	// The server answers (any status: it is up), then stops when told to.
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz-not-a-page")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Serve after cancel: %v", err)
	}
	// A listener already closed stops Serve with the server's error.
	if err := srv.Serve(context.Background(), ln); err == nil {
		t.Error("Serve on a closed listener: no error")
	}
}
