package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Usage is what the function's own process (the bootstrap the emulator
// started, not the emulator) has used so far, as Linux accounts it.
type Usage struct {
	// CPU is its user and system time, all threads, at the kernel's
	// 10 ms granularity: divide a long run by its calls.
	CPU time.Duration
	// PeakRSS is the most resident memory it has held, in bytes (VmHWM):
	// what Lambda's "Max Memory Used" reports for a function.
	PeakRSS int64
}

// clockTick is USER_HZ, the unit of /proc's CPU times: 100 on every Linux
// Lambda and the emulator run on.
const clockTick = 10 * time.Millisecond

// Usage reads the bootstrap's usage from /proc. It fails before the first
// invocation (the emulator starts the bootstrap then) and off Linux.
func (f *Function) Usage() (Usage, error) {
	pid, err := childOf(f.proc.cmd.Process.Pid)
	if err != nil {
		return Usage{}, err
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Usage{}, err
	}
	fields := statFields(string(stat))
	if len(fields) < 13 {
		return Usage{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return Usage{}, err
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Usage{}, err
	}
	u := Usage{CPU: time.Duration(utime+stime) * clockTick}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return Usage{}, fmt.Errorf("VmHWM %q: %w", v, err)
			}
			u.PeakRSS = kb << 10
		}
	}
	return u, nil
}

// statFields are the fields of a /proc/PID/stat line after the command
// name, which may hold spaces: state is [0], the parent's pid [1].
func statFields(stat string) []string {
	if i := strings.LastIndexByte(stat, ')'); i >= 0 {
		stat = stat[i+1:]
	}
	return strings.Fields(stat)
}

// childOf finds the one process whose parent is pid.
func childOf(pid int) (int, error) {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		return 0, err
	}
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue // gone, or not ours to read
		}
		if f := statFields(string(stat)); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			return strconv.Atoi(filepath.Base(d))
		}
	}
	return 0, fmt.Errorf("the emulator (pid %d) has started no function yet", pid)
}

// ZipSize is the size of the zip `make package` makes of bootstrap
// (internal/cmd/lambdazip).
func ZipSize(t testing.TB, bootstrap string) int64 {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	zip := filepath.Join(t.TempDir(), "function.zip")
	cmd := exec.Command("go", "run", "./internal/cmd/lambdazip", "-o", zip, bootstrap)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lambdazip: %v\n%s", err, out)
	}
	st, err := os.Stat(zip)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

var initLine = regexp.MustCompile(`(?m)^init \S+ @[0-9.]+ ms, ([0-9.]+) ms clock`)

// PackageInit runs bin outside Lambda with GODEBUG=inittrace=1 and returns
// the time its package initialisers took, in milliseconds (the sum of the
// trace's "ms clock"). The binary may then fail for want of Lambda: only
// the trace counts.
func PackageInit(bin string) (float64, error) {
	cmd := exec.Command(bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "GODEBUG=inittrace=1"}
	out, _ := cmd.CombinedOutput()
	ms := 0.0
	m := initLine.FindAllSubmatch(out, -1)
	if len(m) == 0 {
		return 0, fmt.Errorf("%s printed no init trace:\n%s", bin, out)
	}
	for _, l := range m {
		v, err := strconv.ParseFloat(string(l[1]), 64)
		if err != nil {
			return 0, err
		}
		ms += v
	}
	return ms, nil
}
