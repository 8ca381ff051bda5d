package records

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/batch"
)

type listResult struct {
	body string
	page *Page
	err  error
}

// TestListsThatWaitShareOnePipeline: while a list is in flight, the lists of the same
// statement that arrive wait and then go as one pipeline, each answered with its own
// rows; a list of another statement does not wait for them.
func TestListsThatWaitShareOnePipeline(t *testing.T) {
	t.Parallel()
	tbl, pool := batchTable(t, 50)
	g := &gatedQuerier{q: pool, gate: make(chan struct{})}
	results := make(chan listResult, 16)
	list := func(body string, extra ...string) {
		q := url.Values{"body": {body}}
		for i := 0; i < len(extra); i += 2 {
			q.Set(extra[i], extra[i+1])
		}
		lq, probs := tbl.ParseList(q)
		if len(probs) > 0 {
			t.Error(probs)
		}
		page, err := tbl.listBatched(context.Background(), g, lq)
		results <- listResult{body, page, err}
	}
	go list("note 1") // holds the flight at the gate
	reached(t, g, 1)
	query := g.statements()[0]
	bodies := []string{"note 2", "note 3", "note 3", "note 50", "note 51"} // 51 does not exist
	for _, b := range bodies {
		go list(b)
	}
	queued(t, &tbl.lists.shape(query).Batcher, len(bodies))
	go list("note 4", "limit", "5") // another statement: its own flight
	reached(t, g, 2)
	close(g.gate)
	for range 2 + len(bodies) {
		r := <-results
		if r.err != nil {
			t.Fatalf("list %q: %v", r.body, r.err)
		}
		want := 1
		if r.body == "note 51" {
			want = 0
		}
		if len(r.page.Data) != want {
			t.Fatalf("list %q: %d records, want %d", r.body, len(r.page.Data), want)
		}
		if want == 1 {
			if body, _ := r.page.Data[0].Get("body"); body != r.body {
				t.Errorf("list %q: got the record of %q", r.body, body)
			}
		}
	}
	stmts := g.statements()
	pipeline := "pipeline of " + strconv.Itoa(len(bodies)) + ": " + query
	if len(stmts) != 3 || stmts[0] != query || !strings.HasSuffix(stmts[1], "LIMIT 6") || stmts[2] != pipeline {
		t.Fatalf("statements: want the first list, the other statement and one pipeline of %d, got %q", len(bodies), stmts)
	}
}

// TestAStatementThatFailsInAPipelineFailsAlone: a statement that fails aborts the ones
// after it in its pipeline; each of those runs again, so only the failing list fails.
func TestAStatementThatFailsInAPipelineFailsAlone(t *testing.T) {
	t.Parallel()
	tbl, pool := batchTable(t, 20)
	g := &gatedQuerier{q: pool, gate: make(chan struct{})}
	query := "SELECT " + tbl.selectAll + " FROM " + tbl.qualified + " WHERE id = 20 / $1::int"
	type result struct {
		div  int
		recs []*Record
		err  error
	}
	results := make(chan result, 8)
	list := func(div int) {
		recs, err := tbl.listRowsBatched(context.Background(), g, query, []any{div}, tbl.columns, 1)
		results <- result{div, recs, err}
	}
	go list(1)
	reached(t, g, 1)
	divs := []int{2, 0, 4, 5} // 20/0 fails, and with it, in the pipeline, 4 and 5
	for i, d := range divs {
		go list(d)
		queued(t, &tbl.lists.shape(query).Batcher, i+1)
	}
	close(g.gate)
	for range 1 + len(divs) {
		r := <-results
		if r.div == 0 {
			if r.err == nil || !strings.Contains(r.err.Error(), "division by zero") {
				t.Errorf("20 / 0: %v, want division by zero", r.err)
			}
			continue
		}
		if r.err != nil || len(r.recs) != 1 {
			t.Fatalf("20 / %d: %d records, %v", r.div, len(r.recs), r.err)
		}
		if id, _ := r.recs[0].Get("id"); id != int64(20/r.div) {
			t.Errorf("20 / %d: record %v", r.div, id)
		}
	}
	if got := len(g.statements()); got != 1+1+3 { // alone, the pipeline, three again alone
		t.Errorf("statements: %q", g.statements())
	}
}

// TestSlowListStatementsRunAlone: lists of a statement that costs more than
// maxBatchedListCost do not wait for each other.
func TestSlowListStatementsRunAlone(t *testing.T) {
	t.Parallel()
	tbl, pool := batchTable(t, 5)
	g := &gatedQuerier{q: pool, gate: make(chan struct{})}
	query := "SELECT " + tbl.selectAll + " FROM " + tbl.qualified + " WHERE id = $1"
	tbl.lists.shape(query).cost.Store(int64(2 * maxBatchedListCost))
	errs := make(chan error, 3)
	for id := range 3 {
		go func() {
			_, err := tbl.listRowsBatched(context.Background(), g, query, []any{id + 1}, tbl.columns, 1)
			errs <- err
		}()
	}
	reached(t, g, 3) // all three at Postgres at once: none waited
	close(g.gate)
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range g.statements() {
		if strings.HasPrefix(s, "pipeline") {
			t.Errorf("a slow statement went in a pipeline: %q", s)
		}
	}
}

// TestListShapesAreBounded: a table batches at most batch.MaxShapes statements; the
// lists of others run alone.
func TestListShapesAreBounded(t *testing.T) {
	t.Parallel()
	var l listBatchers
	first := l.shape("q0")
	for i := 1; i < batch.MaxShapes; i++ {
		if l.shape("q"+strconv.Itoa(i)) == nil {
			t.Fatalf("statement %d has no batcher", i)
		}
	}
	if s := l.shape("one more"); s != nil {
		t.Error("a statement past batch.MaxShapes has a batcher")
	}
	if l.shape("q0") != first {
		t.Error("a known statement lost its batcher")
	}
}

// TestConcurrentListsGetTheirOwnRows: many lists of one statement at once, batched as
// they happen to meet, each answered with the rows of its own filter.
func TestConcurrentListsGetTheirOwnRows(t *testing.T) {
	t.Parallel()
	tbl, pool := batchTable(t, 40)
	g := &gatedQuerier{q: pool}
	errs := make(chan error, 16)
	for w := range 16 {
		go func() {
			for i := range 25 {
				n := 1 + (w*25+i)%45 // 41..45 do not exist
				body, want := "note "+strconv.Itoa(n), 1
				if n > 40 {
					want = 0
				}
				lq, _ := tbl.ParseList(url.Values{"body": {body}})
				page, err := tbl.listBatched(context.Background(), g, lq)
				if err == nil && len(page.Data) != want {
					err = fmt.Errorf("%s: %d records, want %d", body, len(page.Data), want)
				}
				if err == nil && want == 1 {
					if got, _ := page.Data[0].Get("body"); got != body {
						err = fmt.Errorf("%s: the record of %v", body, got)
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	pipelines := 0
	for _, s := range g.statements() {
		if strings.HasPrefix(s, "pipeline") {
			pipelines++
		}
	}
	t.Logf("%d statements, %d of them pipelines", len(g.statements()), pipelines)
}

// TestReadsInATransactionAreNotBatched: a list or a read by id through a transaction
// runs in it at once, seeing its uncommitted rows, even while reads like it are in
// flight; so does a list on a connection taken from the pool.
func TestReadsInATransactionAreNotBatched(t *testing.T) {
	t.Parallel()
	tbl, pool := batchTable(t, 5)
	g := &gatedQuerier{q: pool, gate: make(chan struct{})}
	var held sync.WaitGroup
	defer func() { close(g.gate); held.Wait() }()
	lq, _ := tbl.ParseList(url.Values{"body": {"fresh"}})
	held.Go(func() { _, _ = tbl.listBatched(context.Background(), g, lq) })
	held.Go(func() { _, _ = tbl.getBatched(context.Background(), g, 1) })
	reached(t, g, 2) // a list and a read by id hold their flights
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "INSERT INTO t_acme.note (body) VALUES ('fresh')"); err != nil {
		t.Fatal(err)
	}
	if together(aRead, true, false) {
		t.Fatal("a read in a transaction goes together with others")
	}
	atOnce(t, "the list in the transaction", func() {
		page, err := tbl.listDirect(ctx, tx, lq)
		if err != nil || len(page.Data) != 1 {
			t.Errorf("the list in the transaction: %v %v, want its uncommitted row", page, err)
		}
	})
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	atOnce(t, "the list on a held connection", func() {
		page, err := tbl.listDirect(ctx, conn, lq)
		if err != nil || len(page.Data) != 0 { // the row is not committed
			t.Errorf("the list on a held connection: %v %v", page, err)
		}
	})
	atOnce(t, "the read by id in the transaction", func() {
		rec, err := tbl.getDirect(ctx, tx, 6)
		if err != nil || rec == nil {
			t.Errorf("the read by id in the transaction: %v %v, want its uncommitted row", rec, err)
		}
	})
}

// atOnce runs read and fails the test if it does not return within 5 s (when it waits
// for a flight that the test holds).
func atOnce(t *testing.T, what string, read func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); read() }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal(what + " waited for the flight of another")
	}
}
