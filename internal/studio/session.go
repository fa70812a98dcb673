package studio

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
)

// sessionResponse is what the page loads first.
type sessionResponse struct {
	// File is the mapping's name, Dir its folder, for the page's title.
	File string `json:"file"`
	Dir  string `json:"dir"`
	// Source is the file's text and Version its hash, sent back on save to
	// detect a change on disk.
	Source  string `json:"source"`
	Version string `json:"version"`
	// Users to choose from; the first is selected on load.
	Users []userInfo `json:"users"`
	// TriggerVersion is the mapping's triggerVersion: as 1, 2 or 3, or "".
	TriggerVersion string `json:"triggerVersion"`
	// Schema is the mapping format's JSON Schema, for key completion.
	Schema    json.RawMessage `json:"schema"`
	Event     []string        `json:"event"`
	Functions []string        `json:"functions"`
	// Store says where lookups go: "local data FILE" or "DynamoDB".
	Store string `json:"store"`
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) {
	src, err := os.ReadFile(s.file)
	if err != nil {
		httpError(w, http.StatusInternalServerError, "cannot read the mapping: "+inlinetest.PlainIOError(err))
		return
	}
	ws := s.open(src)
	m := ws.Mapping()
	resp := sessionResponse{
		File: filepath.Base(s.file), Dir: s.dir, Source: string(src), Version: hash(src),
		Users: s.userList(m, ws.Tests()), Schema: config.Schema(),
		Event: eventFields(), Functions: functions(), Store: "DynamoDB",
	}
	if resp.Users == nil {
		resp.Users = []userInfo{}
	}
	if s.opts.DataPath != "" {
		resp.Store = "local data " + filepath.Base(s.opts.DataPath)
	}
	if m != nil && len(m.TriggerVersion) == 4 {
		resp.TriggerVersion = m.TriggerVersion[1:2] // V2_0 → 2
	}
	writeJSON(w, http.StatusOK, resp)
}
