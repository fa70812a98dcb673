package studio

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/claimsmapper/claimsmapper/internal/lambda"
	"github.com/claimsmapper/claimsmapper/mapper"
)

// The studio's backstop, behind the cost model as the function's is: an
// evaluation still running the function's grace (lambda.BackstopGrace) past
// its deadline (the mapping's timeout), or one during which the heap passes
// the CLI's ceiling for when no memory limit is set
// (lambda.CommandHeapCeiling: the studio runs on a developer's machine, not
// in a sized function), is abandoned, and the request is answered as the
// mapping's policies say. The function then replaces its process; the
// studio is a long-lived server whose other requests must go on, so it says
// what happened, lets the abandoned work run out in the background (a
// goroutine cannot be killed) and says when it has. Only a gap in the cost
// model gets here: what lint accepts is bounded by the budgets, which the
// studio runs under exactly as the function does.
//
// maxStopped is how many stopped evaluations may still run in the
// background before the studio starts no more: each keeps a core busy and
// its memory held, and the page evaluates at every keystroke.
const maxStopped = 4

// busyMessage is the answer to an evaluation refused for maxStopped.
var busyMessage = fmt.Sprintf("%d evaluations the studio stopped are still running in the background; it evaluates nothing more until one ends (its log says so) — if none does, restart claimsmapper studio, and make the rule its log names do less", maxStopped)

func (s *Server) newBackstop() *mapper.Backstop {
	return &mapper.Backstop{Grace: lambda.BackstopGrace, Heap: lambda.CommandHeapCeiling,
		Tripped: func(ctx context.Context, st mapper.Stop) {
			s.stopped.Add(1)
			s.log.LogAttrs(ctx, slog.LevelWarn, "evaluation stopped by the backstop: the request is answered without it, and its work goes on in the background until it ends; the function would answer the same way and restart, so make that rule do less (see Limits in docs/mapping.md)",
				slog.String("limit", st.Limit), slog.String("rule", st.Rule))
		},
		Ended: func() {
			s.stopped.Add(-1)
			s.log.Info("a stopped evaluation has ended")
		},
	}
}

// withBackstop puts the studio's backstop under every evaluation r starts.
func (s *Server) withBackstop(r *http.Request) *http.Request {
	return r.WithContext(mapper.WithBackstop(r.Context(), s.backstop))
}

// busy answers a request that would evaluate the mapping (a POST other than
// a save) while maxStopped stopped evaluations still run, and reports so.
func (s *Server) busy(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.Path == "/api/save" || s.stopped.Load() < maxStopped {
		return false
	}
	httpError(w, http.StatusServiceUnavailable, busyMessage)
	return true
}
