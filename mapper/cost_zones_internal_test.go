package mapper

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// zoneBudget is a fresh budget for one expression, under the default limits.
func zoneBudget() *budget {
	lim := defaultLimits
	var b budget
	b.reset(context.Background(), &lim, nil)
	b.begin()
	return &b
}

// lookupCost is the work location charged for name, and whether it found it.
func lookupCost(t *testing.T, name string) (int, bool) {
	t.Helper()
	b := zoneBudget()
	before := b.work
	loc, err := location(b, name)
	if (loc != nil) == (err != nil) {
		t.Fatalf("location(%q) = %v, %v", name, loc, err)
	}
	return before - b.work, loc != nil
}

// TestAZoneIsLoadedOnceFoundOrNot: the second lookup of a name costs
// nothing, whether the zone exists or not. A mapping that names a bad zone
// (or reads one from users' data) read the disk at every sign-in before.
func TestAZoneIsLoadedOnceFoundOrNot(t *testing.T) {
	zones.table.Store(nil)
	for _, name := range []string{"Europe/Paris", "Nowhere/Else", "../../etc/passwd", ""} {
		first, found := lookupCost(t, name)
		if first != loadWork {
			t.Errorf("the first lookup of %q cost %d, want %d", name, first, loadWork)
		}
		if again, foundAgain := lookupCost(t, name); again != 0 || foundAgain != found {
			t.Errorf("the second lookup of %q cost %d (found %v, then %v), want 0 and the same answer", name, again, found, foundAgain)
		}
	}
}

// TestUnknownZonesLeaveRoomForRealOnes: however many bad names the users'
// data holds, the cache keeps at most maxMissing of them, and a real zone
// named after them is still kept.
func TestUnknownZonesLeaveRoomForRealOnes(t *testing.T) {
	zones.table.Store(nil)
	for i := range 2 * maxLocations {
		if _, found := lookupCost(t, fmt.Sprintf("Nowhere/%d", i)); found {
			t.Fatalf("Nowhere/%d was found", i)
		}
	}
	if tab := zones.table.Load(); tab.missing != maxMissing || len(tab.byName) != maxMissing {
		t.Errorf("the cache keeps %d names, %d unknown; want %d unknown", len(tab.byName), tab.missing, maxMissing)
	}
	// A name longer than any zone is never looked up, nor kept.
	long := fmt.Sprintf("%0100d", 7)
	if cost, _ := lookupCost(t, long); cost != loadWork {
		t.Errorf("a long name cost %d, want %d", cost, loadWork)
	}
	for _, name := range []string{"America/New_York", "Asia/Tokyo", "UTC"} {
		lookupCost(t, name)
		if cost, found := lookupCost(t, name); cost != 0 || !found {
			t.Errorf("%s after the bad names: cost %d, found %v; want it kept", name, cost, found)
		}
	}
	if n := len(zones.table.Load().byName); n > maxLocations {
		t.Errorf("the cache keeps %d names, more than %d", n, maxLocations)
	}
}

// TestZonesAreSafeForConcurrentUse: lookups from many goroutines, of
// names found and not, each get the right answer (under -race, as make
// test runs every test, it proves the sharing too).
func TestZonesAreSafeForConcurrentUse(t *testing.T) {
	zones.table.Store(nil)
	names := []string{"Europe/Paris", "Asia/Tokyo", "UTC", "America/Sao_Paulo", "Bad/One", "Bad/Two", "Bad/Three"}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				name := names[(g+i)%len(names)]
				loc, err := location(zoneBudget(), name)
				switch {
				case strings.HasPrefix(name, "Bad/") && err == nil:
					errs <- fmt.Errorf("%s was found", name)
					return
				case !strings.HasPrefix(name, "Bad/") && (err != nil || loc.String() != name):
					errs <- fmt.Errorf("%s gave %v, %v", name, loc, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if tab := zones.table.Load(); len(tab.byName) != len(names) || tab.missing != 3 {
		t.Errorf("the cache keeps %d names, %d unknown; want %d, 3", len(tab.byName), tab.missing, len(names))
	}
}

// TestZoneNamesAreTheDatabasesOwn: a name the system's loader would find
// only by its path (a doubled or trailing slash, a ./ in it) is unknown and
// not kept, so that users' data cannot fill the cache with spellings of one
// zone and leave the real zones outside it.
func TestZoneNamesAreTheDatabasesOwn(t *testing.T) {
	zones.table.Store(nil)
	for _, name := range []string{"America//New_York", "./America/New_York", "America/./New_York", "America/New_York/", "Europe/Paris/../Paris"} {
		if _, found := lookupCost(t, name); found {
			t.Errorf("%q was found; want unknown", name)
		}
	}
	if tab := zones.table.Load(); tab != nil {
		t.Errorf("the cache keeps %d names; want none", len(tab.byName))
	}
	if _, found := lookupCost(t, "America/New_York"); !found {
		t.Error("America/New_York was not found")
	}
}
