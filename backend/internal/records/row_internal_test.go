package records

import (
	"context"
	"net/url"
	"strconv"
	"testing"

	"forma.dev/backend/internal/wire"
)

// TestPagesLongerThanTheFirstChunkKeepEveryValue: rows past the first chunk of each slab
// go in new chunks, and no row's values move or are shared.
func TestPagesLongerThanTheFirstChunkKeepEveryValue(t *testing.T) {
	t.Parallel()
	tbl, pool := batchTable(t, 3*wire.FirstChunk+5)
	for _, q := range []string{"limit=1000&sort=id", "limit=1000&sort=id&body=note 7"} {
		v, _ := url.ParseQuery(q)
		lq, probs := tbl.ParseList(v)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		page, err := tbl.listBatched(context.Background(), pool, lq)
		if err != nil {
			t.Fatal(err)
		}
		want := 3*wire.FirstChunk + 5
		if v.Has("body") {
			want = 1
		}
		if len(page.Data) != want {
			t.Fatalf("%s: %d records, want %d", q, len(page.Data), want)
		}
		for i, r := range page.Data {
			wantID := int64(i + 1)
			if want == 1 {
				wantID = 7
			}
			id, _ := r.Get("id")
			if body, _ := r.Get("body"); id != wantID || body != "note "+strconv.FormatInt(wantID, 10) {
				t.Fatalf("%s: record %d is %v %v, want %d", q, i, id, body, wantID)
			}
		}
	}
}
