package main

import (
	"fmt"
	"math"
	"strconv"
)

// count writes a whole number with thousands separators: 12,394.
func count(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// ratio writes a ratio with two decimals: 1.35x.
func ratio(v float64) string { return fmt.Sprintf("%.2fx", v) }

// duration writes nanoseconds in the unit that reads best.
func duration(ns float64) string {
	switch a := math.Abs(ns); {
	case a >= 1e9:
		return fmt.Sprintf("%.2f s", ns/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	case a >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// signed writes a difference with its sign: +3.2 ms.
func signed(ns float64) string {
	if ns >= 0 {
		return "+" + duration(ns)
	}
	return "−" + duration(-ns)
}

// megabytes writes a byte count in decimal megabytes: 3.64 MB.
func megabytes(v float64) string { return fmt.Sprintf("%.2f MB", v/1e6) }
