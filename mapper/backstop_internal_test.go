package mapper

import "testing"

// TestHeapPollAllocatesNothing: the backstop reads the heap every
// heapPoll for as long as a slow evaluation runs; each read must not add
// to the heap it watches.
func TestHeapPollAllocatesNothing(t *testing.T) {
	var h heapMeter
	if h.read() == 0 {
		t.Fatal("the heap reads as empty")
	}
	if n := testing.AllocsPerRun(1000, func() { h.read() }); n != 0 {
		t.Errorf("a heap read allocates %v times, want 0", n)
	}
}
