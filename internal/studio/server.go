package studio

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// Options say what the studio edits and where its users come from.
type Options struct {
	// Mapping is the mapping file's path; the studio reads and writes only it
	// (and its backup), and reads inline tests' files only from its folder.
	Mapping string
	// Store serves the sources for events and typed user names: local data
	// or DynamoDB, as the command line chose. Inline tests use their own data.
	Store mapper.Store
	// Data lists the users of a local data file, by table; nil for DynamoDB.
	Data TableLister
	// DataPath is the local data file's path, "" for DynamoDB; a new inline
	// test names it when it is inside the mapping's folder.
	DataPath string
	// Env gives the mapping's ${NAME} values (--env), before the process
	// environment.
	Env map[string]string
	// Events are the sample events, by file.
	Events []EventFile
	// Logger gets the server's own messages; the mapping's warnings while an
	// event runs are shown on the page instead.
	Logger *slog.Logger
}

// TableLister lists a table's items; localdata.Data is one.
type TableLister = workspace.TableLister

// EventFile is one sample event given with --events.
type EventFile = changes.EventFile

// Server is the studio's HTTP handler. Create it with New.
type Server struct {
	file, dir string // the mapping, absolute, and its folder (symlinks resolved)
	token     string
	opts      Options
	events    []sampleEvent
	log       *slog.Logger

	mu    sync.Mutex // serializes saves
	hosts map[string]bool

	backstop *mapper.Backstop // under every evaluation (backstop.go)
	// stopped counts the evaluations the backstop stopped that still run.
	stopped atomic.Int32
}

// New reads the mapping and the events and returns a server. Its API
// answers only requests carrying Token() and addressed to one of the hosts
// given to Allow.
func New(opts Options) (*Server, error) {
	abs, err := filepath.Abs(opts.Mapping)
	if err != nil {
		return nil, fmt.Errorf("cannot find the mapping %s: %w", opts.Mapping, err)
	}
	if _, err := os.ReadFile(abs); err != nil {
		return nil, fmt.Errorf("cannot read the mapping %s: %s", opts.Mapping, inlinetest.PlainIOError(err))
	}
	// Save writes the file a link points to, and the folder is that file's.
	file, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot open the mapping %s: %s", opts.Mapping, inlinetest.PlainIOError(err))
	}
	s := &Server{file: file, dir: filepath.Dir(file), opts: opts, log: opts.Logger, hosts: map[string]bool{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.backstop = s.newBackstop()
	for _, ef := range opts.Events {
		ev, err := decodeSample(ef)
		if err != nil {
			return nil, err
		}
		s.events = append(s.events, ev)
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s.token = hex.EncodeToString(b)
	return s, nil
}

// Token is the per-run secret the page's URL carries.
func (s *Server) Token() string { return s.token }

// Allow accepts requests addressed to the listener's address: on loopback
// under the names 127.0.0.1, localhost and [::1] with its port.
func (s *Server) Allow(addr net.Addr) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return
	}
	s.hosts[strings.ToLower(net.JoinHostPort(host, port))] = true
	ip := net.ParseIP(host)
	if ip != nil && (ip.IsLoopback() || ip.IsUnspecified()) {
		for _, h := range []string{"127.0.0.1", "localhost", "::1"} {
			s.hosts[net.JoinHostPort(h, port)] = true
		}
	}
	if ip != nil && ip.IsUnspecified() {
		// Listening on every interface: reachable by each of their addresses.
		addrs, _ := net.InterfaceAddrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				s.hosts[strings.ToLower(net.JoinHostPort(n.IP.String(), port))] = true
			}
		}
	}
}

// URL is the page's address on the listener, with the token.
func (s *Server) URL(addr net.Addr) string {
	host, port, _ := net.SplitHostPort(addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/?token=" + s.token
}

// ServeHTTP routes a request after the Host, Origin and token checks.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	// CodeMirror adds its styles at run time, hence 'unsafe-inline' for styles only.
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	if msg := s.checkOrigin(r); msg != "" {
		s.log.Warn("studio refused a request", "reason", msg)
		httpError(w, http.StatusForbidden, msg)
		return
	}
	switch {
	case r.URL.Path == "/assets/app.js" || r.URL.Path == "/assets/app.css":
		s.serveAsset(w, r)
		return
	case r.URL.Path == "/favicon.ico":
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !s.checkToken(r) {
		httpError(w, http.StatusForbidden, "this address needs the token that claimsmapper studio printed; open the full address it printed")
		return
	}
	type route struct {
		method string
		fn     func(w http.ResponseWriter, r *http.Request)
	}
	routes := map[string]route{
		"/":             {http.MethodGet, s.serveIndex},
		"/api/session":  {http.MethodGet, s.handleSession},
		"/api/evaluate": {http.MethodPost, s.handleEvaluate},
		"/api/tests":    {http.MethodPost, s.handleTests},
		"/api/newtest":  {http.MethodPost, s.handleNewTest},
		"/api/save":     {http.MethodPost, s.handleSave},
		"/api/changes":  {http.MethodPost, s.handleChanges},
	}
	rt, ok := routes[r.URL.Path]
	if !ok {
		httpError(w, http.StatusNotFound, "no such page")
		return
	}
	if r.Method != rt.method {
		h.Set("Allow", rt.method)
		httpError(w, http.StatusMethodNotAllowed, "use "+rt.method)
		return
	}
	if rt.method == http.MethodPost && !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		httpError(w, http.StatusUnsupportedMediaType, "send JSON")
		return
	}
	if s.busy(w, r) {
		return
	}
	rt.fn(w, s.withBackstop(r))
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	s.keepToken(w, r)
	b, _ := assets.ReadFile("assets/index.html")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		httpError(w, http.StatusMethodNotAllowed, "use GET")
		return
	}
	b, err := assets.ReadFile(strings.TrimPrefix(r.URL.Path, "/"))
	if err != nil {
		httpError(w, http.StatusNotFound, "no such page")
		return
	}
	ct := "text/css; charset=utf-8"
	if strings.HasSuffix(r.URL.Path, ".js") {
		ct = "text/javascript; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}

// maxBody bounds a request: a mapping is far smaller.
const maxBody = 4 << 20

// decode reads a JSON request body into v; it answers the error itself.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			httpError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request is larger than %d bytes", maxBody))
			return false
		}
		// Go's decoding message names its own types; the page never sends
		// such a request, so reloading it is the fix.
		httpError(w, http.StatusBadRequest, "the request is not the JSON the page sends; reload the page")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func httpError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
