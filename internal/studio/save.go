package studio

import (
	"errors"
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

// BackupDir is the folder, beside the mapping, that Save keeps the
// previous version in: it holds a .gitignore of "*", so git ignores the
// folder whatever the repository's own .gitignore says, and a backup never
// shows up as a change to commit.
const BackupDir = ".claimsmapper-backup"

// save writes the mapping atomically, keeping the previous text in
// BackupDir/FILE.bak: it refuses when the file changed on disk since the page read
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
	backup := filepath.Join(BackupDir, filepath.Base(s.file)+".bak")
	if err := writeBackup(filepath.Dir(s.file), backup, disk, info.Mode().Perm()); err != nil {
		return http.StatusInternalServerError, saveResponse{Error: "cannot write the backup " + filepath.ToSlash(backup) + ": " + err.Error()}
	}
	if err := writeAtomic(s.file, src, info.Mode().Perm()); err != nil {
		return http.StatusInternalServerError, saveResponse{Error: "cannot save the mapping: " + inlinetest.PlainIOError(err)}
	}
	return http.StatusOK, saveResponse{Version: hash(src), Backup: filepath.ToSlash(backup)}
}

// writeBackup writes the previous text to dir/backup, making BackupDir
// with its .gitignore first. A BackupDir that is not a plain folder (a
// link, which could lead outside the mapping's folder) is refused.
func writeBackup(dir, backup string, b []byte, perm os.FileMode) error {
	folder := filepath.Join(dir, BackupDir)
	switch st, err := os.Lstat(folder); {
	case err == nil && !st.IsDir():
		return fmt.Errorf("%s is not a folder; remove it or move it away", BackupDir)
	case os.IsNotExist(err):
		if err := os.Mkdir(folder, 0o755); err != nil {
			return errors.New(inlinetest.PlainIOError(err))
		}
	case err != nil:
		return errors.New(inlinetest.PlainIOError(err))
	}
	ignore := filepath.Join(folder, ".gitignore")
	if _, err := os.Lstat(ignore); os.IsNotExist(err) {
		if err := writeAtomic(ignore, []byte("# claimsmapper studio's backups: not for git\n*\n"), 0o644); err != nil {
			return errors.New(inlinetest.PlainIOError(err))
		}
	}
	if err := writeAtomic(filepath.Join(dir, backup), b, perm); err != nil {
		return errors.New(inlinetest.PlainIOError(err))
	}
	return nil
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
