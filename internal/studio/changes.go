package studio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/claimsmapper/claimsmapper/config"
	"github.com/claimsmapper/claimsmapper/internal/changes"
	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
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
	suite := s.tests(src)
	saved := s.tests(disk)
	quiet := slog.New(slog.DiscardHandler)
	before, err := loadMapper(s.file, disk, s.lookupEnv(saved.Cases), s.opts.Store, quiet)
	if err != nil {
		return changesResponse{Problem: "the saved file does not load, so there is nothing to compare with: " + firstLine(err)}
	}
	env := s.lookupEnv(append(suite.Cases, saved.Cases...))
	after, err := loadMapper(s.file, src, env, s.opts.Store, quiet)
	if err != nil {
		return changesResponse{Problem: "fix the mapping's errors first: " + firstLine(err)}
	}
	var cases []changes.Case
	add := func(raw []byte) {
		if ev, err := mapper.DecodeEvent(raw); err == nil {
			user := ev.UserName
			if ev.ClientCredentials() {
				user = ev.ClientID
			}
			cases = append(cases, changes.Case{User: user, Event: ev})
		}
	}
	for i := range s.events {
		if raw, err := s.eventFor(userRef{kindEvent, fmt.Sprint(i)}); err == nil {
			add(raw)
		}
	}
	m, _ := config.Parse(s.file, src, warnUnset(readOptions(env)))
	for _, name := range s.dataUsers(m) {
		if raw, err := s.eventFor(userRef{kindName, name}); err == nil {
			add(raw)
		}
	}
	if len(cases) == 0 {
		return changesResponse{Problem: "there are no users to compare: start the studio with --events or --data"}
	}
	ctx, cancel := context.WithTimeout(ctx, changesTimeout)
	defer cancel()
	rep, err := changes.Compare(ctx, before, after, cases)
	if errors.Is(err, context.DeadlineExceeded) {
		return changesResponse{Problem: fmt.Sprintf("comparing every user took longer than %s and was stopped; run claimsmapper diff in a terminal to compare this many", changesTimeout)}
	}
	if err != nil {
		return changesResponse{Problem: err.Error()}
	}
	var b bytes.Buffer
	changes.Write(&b, rep, changes.Options{Format: changes.FormatText, ShowValues: true, Before: "the saved file", After: "the editor"})
	return changesResponse{Text: b.String(), Users: rep.Users, Changed: rep.Changed}
}
