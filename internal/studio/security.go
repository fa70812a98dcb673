package studio

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
)

// checkOrigin refuses a request that is not addressed to this server by
// one of its own names (a DNS-rebinding page would send its own host name)
// or that comes from another site's page. It returns why, or "".
func (s *Server) checkOrigin(r *http.Request) string {
	if !s.hosts[strings.ToLower(r.Host)] {
		return "this server answers only under its own address; open the address claimsmapper studio printed"
	}
	if o := r.Header.Get("Origin"); o != "" && !s.hosts[strings.ToLower(strings.TrimPrefix(o, "http://"))] {
		return "requests from other web pages are refused"
	}
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return "requests from other web pages are refused"
	}
	return ""
}

// checkToken accepts the token in the X-Studio-Token header (the page's
// API calls), in the page's cookie, or, for the page itself, in the token
// query parameter of the address the studio printed.
func (s *Server) checkToken(r *http.Request) bool {
	t := r.Header.Get("X-Studio-Token")
	if t == "" {
		if c, err := r.Cookie(cookieName(r)); err == nil {
			t = c.Value
		}
	}
	if t == "" && r.Method == http.MethodGet && r.URL.Path == "/" {
		t = r.URL.Query().Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1
}

// keepToken gives the page its token in a cookie, so that the page can
// take the token out of its address (and so out of the browser's history)
// and a reload still works. The cookie is HttpOnly (no script reads it),
// SameSite=Strict (no other site's page sends it) and named after the port,
// since cookies do not tell ports apart and two studios may run at once.
func (s *Server) keepToken(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: s.token, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func cookieName(r *http.Request) string {
	_, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		port = "80"
	}
	return "claimsmapper-studio-" + port
}
