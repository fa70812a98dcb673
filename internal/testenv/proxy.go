package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// Request is one DynamoDB API call seen by a Proxy.
type Request struct {
	// Op is the operation, e.g. GetItem, from the X-Amz-Target header.
	Op string
	// Body is the request's JSON.
	Body map[string]any
}

// Proxy sits in front of a DynamoDB server on loopback and records every
// request, so tests can prove how many requests an event cost and what
// they asked for.
type Proxy struct {
	URL   string
	mu    sync.Mutex
	delay time.Duration
	log   []Request
	// inFlight and maxInFlight count requests being served at once.
	inFlight, maxInFlight int
	// respBytes is the size of the response bodies served.
	respBytes int
}

// StartProxy starts a recording proxy to target; it stops when the test ends.
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		req := Request{Op: r.Header.Get("X-Amz-Target")}
		if i := strings.LastIndexByte(req.Op, '.'); i >= 0 {
			req.Op = req.Op[i+1:]
		}
		json.Unmarshal(body, &req.Body)
		p.mu.Lock()
		p.log = append(p.log, req)
		p.inFlight++
		p.maxInFlight = max(p.maxInFlight, p.inFlight)
		delay := p.delay
		p.mu.Unlock()
		time.Sleep(delay)
		cw := &countingWriter{ResponseWriter: w}
		rp.ServeHTTP(cw, r)
		p.mu.Lock()
		p.inFlight--
		p.respBytes += cw.n
		p.mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// SetDelay holds every later request d before forwarding it: a slow
// network or a busy table.
func (p *Proxy) SetDelay(d time.Duration) {
	p.mu.Lock()
	p.delay = d
	p.mu.Unlock()
}

// Stats returns the most requests served at once and the response body
// bytes since the last call, and resets both.
func (p *Proxy) Stats() (maxInFlight, responseBytes int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	maxInFlight, responseBytes = p.maxInFlight, p.respBytes
	p.maxInFlight, p.respBytes = 0, 0
	return maxInFlight, responseBytes
}

type countingWriter struct {
	http.ResponseWriter
	n int
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += n
	return n, err
}

// Requests returns the requests seen so far and forgets them.
func (p *Proxy) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.log
	p.log = nil
	return out
}

// StartSilentServer accepts connections on loopback and never answers: a
// DynamoDB that hangs. It returns the URL; it stops when the test ends.
func StartSilentServer(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			// Read and discard, never write.
			go io.Copy(io.Discard, c)
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + l.Addr().String()
}
