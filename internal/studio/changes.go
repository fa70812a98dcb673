package studio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// changesTimeout bounds one comparison over every user.
const changesTimeout = 30 * time.Second

type changesResponse struct {
	// Text is the report `claimsmapper diff` prints, with the values.
	Text    string `json:"text"`
	Users   int    `json:"users"`
	Changed int    `json:"changed"`
	// Problem says why nothing was compared.
	Problem string `json:"problem,omitempty"`
}

func (s *Server) handleChanges(w http.ResponseWriter, r *http.Request) {
	var req sourceRequest
	if !decode(w, r, &req) {
		return
	}
	writeJSON(w, http.StatusOK, s.changes(r.Context(), []byte(req.Source)))
}

// changes compares the saved file with the editor's text over the sample
// events and the users of the local data, as `claimsmapper diff` does.
func (s *Server) changes(ctx context.Context, src []byte) changesResponse {
	disk, err := os.ReadFile(s.file)
	if err != nil {
		return changesResponse{Problem: "cannot read the saved file: " + inlinetest.PlainIOError(err)}
	}
	before, after := s.open(disk), s.open(src)
	// Each user once: a sample event's user is often in the data too, and
	// several sample events (one per trigger version) are often one user.
	var users workspace.Users
	seen := map[string]bool{}
	for _, e := range s.events {
		raw, _ := json.Marshal(e.raw)
		c, ok := workspace.RawCase(raw)
		if !ok || seen[c.User] {
			continue
		}
		seen[c.User] = true
		users.Raw = append(users.Raw, raw)
	}
	for _, name := range workspace.DataUsers(after.Mapping(), s.opts.Data) {
		if !seen[name] {
			seen[name] = true
			users.Names = append(users.Names, name)
		}
	}
	users.Template = s.template()
	ctx, cancel := context.WithTimeout(ctx, changesTimeout)
	defer cancel()
	store := func(context.Context) (mapper.Store, error) { return s.opts.Store, nil }
	rep, err := workspace.Compare(ctx, before, after, workspace.Comparison{Users: users, OpenStore: store, AlwaysOpen: true})
	var old *workspace.OldLoadError
	var nw *workspace.NewLoadError
	switch {
	case errors.As(err, &old):
		return changesResponse{Problem: "the saved file does not load, so there is nothing to compare with: " + firstLine(old.Err)}
	case errors.As(err, &nw):
		return changesResponse{Problem: "fix the mapping's errors first: " + firstLine(nw.Err)}
	case errors.Is(err, context.DeadlineExceeded):
		return changesResponse{Problem: fmt.Sprintf("comparing every user took longer than %s and was stopped; run claimsmapper diff in a terminal to compare this many", changesTimeout)}
	case err != nil:
		return changesResponse{Problem: err.Error()}
	case rep.Users == 0:
		return changesResponse{Problem: "there are no users to compare: start the studio with --events or --data"}
	}
	var b bytes.Buffer
	changes.Write(&b, rep, changes.Options{Format: changes.FormatText, ShowValues: true, ShowUsers: true, Before: "the saved file", After: "the editor"})
	return changesResponse{Text: b.String(), Users: rep.Users, Changed: rep.Changed}
}
