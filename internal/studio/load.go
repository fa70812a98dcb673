package studio

import (
	"github.com/claimsmapper/claimsmapper/internal/workspace"
	"github.com/claimsmapper/claimsmapper/localdata"
)

// open reads the editor's (or the saved file's) text as the studio works
// on it: ${VAR} from --env, then the process environment and, where
// neither sets one, from the inline tests' env:, so the seed scenario
// works without setting anything; the files the tests name only from the
// mapping's folder; messages naming the file as the author knows it.
func (s *Server) open(src []byte) *workspace.Workspace {
	o := workspace.Options{
		Env:    workspace.Env{Flags: s.opts.Env},
		Within: s.dir, TestsFillEnv: true, ShortNames: true,
	}
	// The users of --data are evaluated by lint too, as lint --data does: a
	// claim that fails for some of them is underlined as the author types.
	if d, ok := s.opts.Data.(*localdata.Data); ok {
		o.Data = []*localdata.Data{d}
	}
	return workspace.Open(s.file, src, o)
}
