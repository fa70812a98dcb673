package mapper_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
)

// TestAMapperIsSafeForConcurrentUse: the function serves sign-ins at once
// from one Mapper (its sources looked up in parallel, its VMs pooled).
// Under -race (make test) it proves the sharing; under any run, that every
// sign-in gets the answer one alone gets.
func TestAMapperIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	store := tables(t, string(readFile(t, "../testdata/seed/users.yaml")))
	mp := load(t, `version: 1
sources:
  user:
    table: SampleUsers
    key: {userName: event.userName}
  again:
    table: SampleUsers
    key: {userName: event.userName}
claims:
  firstName: user.FirstName
  lastName: again.LastName
  both: user.FirstName + " " + again.LastName
  many: 'map(1..50, # * 2)'
`, store)
	ev := readFile(t, "../testdata/seed/event.json")
	want, err := mp.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(want, []byte(`"both":"Ben Pyle"`)) {
		t.Fatalf("the lone answer lacks the claims: %s", want)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 40 {
				got, err := mp.Handle(context.Background(), ev)
				if err != nil || !bytes.Equal(got, want) {
					errs <- fmt.Sprintf("%s (%v)", got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a concurrent sign-in got another answer: %s", e)
	}
}
