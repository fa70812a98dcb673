package studio

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"

	"github.com/claimsmapper/claimsmapper/internal/inlinetest"
)

type saveRequest struct {
	Source string `json:"source"`
	// Version is the hash of the file as the page opened (or last saved) it.
	Version string `json:"version"`
	// AllowErrors saves a mapping lint finds errors in; the page asks first.
	AllowErrors bool `json:"allowErrors"`
}

type saveResponse struct {
	Version string `json:"version,omitempty"`
	Backup  string `json:"backup,omitempty"`
	// Conflict is set when the file changed on disk since the page read
	// it; Disk is then the file's text and DiskVersion its hash.
	Conflict    bool   `json:"conflict,omitempty"`
	Disk        string `json:"disk,omitempty"`
	DiskVersion string `json:"diskVersion,omitempty"`
	// Errors counts lint errors when the save was refused for them.
	Errors int    `json:"errors,omitempty"`
	Error  string `json:"error,omitempty"`
}

func (s *Server) handleSave(w http.ResponseWriter, r *http.Request) {
	var req saveRequest
	if !decode(w, r, &req) {
		return
	}
	code, resp := s.save(req)
	writeJSON(w, code, resp)
}

// save writes the mapping atomically, keeping the previous text in
// FILE.bak: it refuses when the file changed on disk since the page read
// it, and when the text has errors unless the author confirmed.
func (s *Server) save(req saveRequest) (int, saveResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	disk, err := os.ReadFile(s.file)
	if err != nil {
		return http.StatusInternalServerError, saveResponse{Error: "cannot read the mapping: " + inlinetest.PlainIOError(err)}
	}
	if hash(disk) != req.Version {
		return http.StatusConflict, saveResponse{Conflict: true, Disk: string(disk), DiskVersion: hash(disk),
			Error: "the file changed on disk since the studio read it; compare, then keep one of the two"}
	}
	src := []byte(req.Source)
	if !req.AllowErrors {
		fs := s.open(src).Lint()
		if _, errs := findingsOut(fs); errs > 0 {
			return http.StatusUnprocessableEntity, saveResponse{Errors: errs,
				Error: fmt.Sprintf("the mapping has %d error(s); the Lambda would refuse to load it", errs)}
		}
	}
	if string(disk) == req.Source {
		return http.StatusOK, saveResponse{Version: hash(disk)}
	}
	info, err := os.Stat(s.file)
	if err != nil {
		return http.StatusInternalServerError, saveResponse{Error: "cannot read the mapping: " + inlinetest.PlainIOError(err)}
	}
	backup := s.file + ".bak"
	if err := writeAtomic(backup, disk, info.Mode().Perm()); err != nil {
		return http.StatusInternalServerError, saveResponse{Error: "cannot write the backup " + filepath.Base(backup) + ": " + inlinetest.PlainIOError(err)}
	}
	if err := writeAtomic(s.file, src, info.Mode().Perm()); err != nil {
		return http.StatusInternalServerError, saveResponse{Error: "cannot save the mapping: " + inlinetest.PlainIOError(err)}
	}
	return http.StatusOK, saveResponse{Version: hash(src), Backup: filepath.Base(backup)}
}

// writeAtomic writes a file so that a reader sees the old or the new
// text, never a part: a temporary file beside it, synced, then renamed.
func writeAtomic(path string, b []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, perm)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
