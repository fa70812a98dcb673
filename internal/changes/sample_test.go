package changes

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/claimsmapper/claimsmapper/dynamo"
)

// pagedTable answers every Scan with one more page of items that are not
// users, or with err.
type pagedTable struct {
	err   error
	scans int
}

func (p *pagedTable) Call(_ context.Context, op string, _, out any) error {
	p.scans++
	if p.err != nil {
		return p.err
	}
	out.(*scanAnswer).LastEvaluatedKey = map[string]dynamo.AttributeValue{"pk": dynamo.Text("ORG#x")}
	return nil
}

func TestSampleFaults(t *testing.T) {
	t.Parallel()
	users := UserTable{Table: "Users", Fields: map[string]string{"pk": "userName"}, Prefixes: map[string]string{"pk": "USER#"}}
	t.Run("a failed scan names the table", func(t *testing.T) {
		t.Parallel()
		api := &pagedTable{err: errors.New("ResourceNotFoundException: table not found")}
		if _, err := Sample(context.Background(), api, users, 10); err == nil || !strings.Contains(err.Error(), `scan table "Users"`) {
			t.Errorf("error %v, want it to name the table", err)
		}
	})
	t.Run("a table where no item is a user is not scanned to its end", func(t *testing.T) {
		t.Parallel()
		api := &pagedTable{}
		_, err := Sample(context.Background(), api, users, 10)
		if err == nil || !strings.Contains(err.Error(), "no item of table \"Users\" has the key") || api.scans != maxScanPages {
			t.Errorf("error %v after %d scans; want no user found after %d scans", err, api.scans, maxScanPages)
		}
	})
}
