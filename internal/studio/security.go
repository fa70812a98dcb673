package studio

import (
	"crypto/subtle"
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
// API calls) or the token query parameter (the page's address).
func (s *Server) checkToken(r *http.Request) bool {
	t := r.Header.Get("X-Studio-Token")
	if t == "" {
		t = r.URL.Query().Get("token")
	}
	return subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1
}
