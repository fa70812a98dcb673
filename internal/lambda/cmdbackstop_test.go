package lambda

import (
	"context"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/mapper"
)

func TestCommandBackstop(t *testing.T) {
	t.Parallel()
	// GOMEMLIMIT is "set" in every case, so the test leaves the process's
	// memory limit alone.
	tests := []struct {
		name string
		env  map[string]string
		heap uint64
		stop mapper.Stop
		want string
	}{
		{"without a memory size, the command's own ceiling", map[string]string{"GOMEMLIMIT": "off"}, CommandHeapCeiling,
			mapper.Stop{Rule: "claims.b"}, "claimsmapper: stopped: the evaluation ran past its time (the mapping's timeout) while claims.b was running"},
		{"the function's memory size gives the function's ceiling", map[string]string{"GOMEMLIMIT": "off", EnvMemorySize: "160"}, 100 << 20,
			mapper.Stop{Limit: "memory", Rule: "claims.c"}, "claimsmapper: stopped: the evaluation took more than 100 MiB of memory while claims.c was running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got string
			b := CommandBackstop(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }, func(m string) { got = m })
			if b.Heap != tt.heap || b.Grace != BackstopGrace {
				t.Errorf("heap %d grace %v, want %d %v", b.Heap, b.Grace, tt.heap, BackstopGrace)
			}
			b.Tripped(context.Background(), tt.stop)
			if !strings.HasPrefix(got, tt.want) || !strings.HasSuffix(got, "(see Limits in docs/mapping.md)") {
				t.Errorf("message %q, want it to start %q", got, tt.want)
			}
		})
	}
}
