package lambda

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"

	"github.com/claimsmapper/claimsmapper/mapper"
)

// CommandHeapCeiling is a command's backstop heap ceiling when neither
// AWS_LAMBDA_FUNCTION_MEMORY_SIZE nor GOMEMLIMIT says how much memory there
// is: far above what any sign-in's evaluation takes, far below what
// exhausts a laptop.
const CommandHeapCeiling = 1 << 30

// CommandBackstop is the backstop of a command that evaluates mappings
// (run, preview, the studio...): an evaluation still running past its
// deadline (the mapping's timeout) by BackstopGrace, or growing the heap
// past its ceiling, is reported to tripped with a plain message, which is
// to end the command at once, as the function would answer without it.
// The ceiling is the function's for AWS_LAMBDA_FUNCTION_MEMORY_SIZE (and
// the Go memory limit matches it, unless GOMEMLIMIT is set), five sevenths
// of GOMEMLIMIT as in the function, or CommandHeapCeiling.
func CommandBackstop(lookupEnv func(string) (string, bool), tripped func(message string)) *mapper.Backstop {
	ceiling := uint64(CommandHeapCeiling)
	_, goLimit := lookupEnv("GOMEMLIMIT")
	if _, ok := lookupEnv(EnvMemorySize); ok {
		var limit uint64
		limit, ceiling = Memory(lookupEnv)
		if !goLimit {
			debug.SetMemoryLimit(int64(limit))
		}
	} else if l := debug.SetMemoryLimit(-1); goLimit && l > 0 && l < math.MaxInt64 {
		ceiling = uint64(l) / 7 * 5
	}
	return &mapper.Backstop{Grace: BackstopGrace, Heap: ceiling, Tripped: func(_ context.Context, s mapper.Stop) {
		tripped(StopMessage(s, ceiling))
	}}
}

// StopMessage says what the backstop stopped, in words: the limit, the
// rule that was running and what to do. It quotes no value.
func StopMessage(s mapper.Stop, ceiling uint64) string {
	what := "ran past its time (the mapping's timeout)"
	if s.Limit == "memory" {
		what = fmt.Sprintf("took more than %d MiB of memory", ceiling>>20)
	}
	return fmt.Sprintf("claimsmapper: stopped: the evaluation %s while %s was running, and the limits that should have stopped it did not; "+
		"the function would answer without it and restart, so make that rule do less (see Limits in docs/mapping.md)", what, s.Rule)
}
