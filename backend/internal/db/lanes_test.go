package db_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/testdb"
)

// The budget is split, never exceeded: the shared pool and every lane add up to it, the
// shared pool keeps at least a quarter (2 or more), each lane at least a connection.
func TestLaneSizesStayWithinTheBudget(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ total, lanes, shared, perLane, n int }{
		{32, 1, 32, 0, 0}, {32, 4, 8, 6, 4}, {32, 8, 8, 3, 8}, {32, 5, 12, 4, 5},
		{32, 64, 8, 1, 24}, {12, 3, 3, 3, 3}, {4, 4, 2, 1, 2}, {3, 2, 3, 0, 0},
	} {
		shared, perLane, n := db.LaneSizes(c.total, c.lanes)
		if shared != c.shared || perLane != c.perLane || n != c.n {
			t.Errorf("laneSizes(%d, %d) = %d shared, %d × %d, want %d, %d × %d", c.total, c.lanes, shared, n, perLane, c.shared, c.n, c.perLane)
		}
	}
	for total := 1; total <= 100; total++ {
		for lanes := 1; lanes <= 70; lanes++ {
			shared, perLane, n := db.LaneSizes(total, lanes)
			if shared+perLane*n != total || shared < min(2, total) || n == 1 || n > 0 && perLane < 1 {
				t.Fatalf("laneSizes(%d, %d) = %d shared, %d × %d", total, lanes, shared, n, perLane)
			}
		}
	}
}

// lanesPool opens a pool of 12 connections split into 3 lanes of 3 and 3 shared, on a
// database of the test's own with one table per tenant (s0.t ... s<n-1>.t).
func lanesPool(t *testing.T, wait time.Duration, tenants int) (*db.Pool, *db.Statements, func()) {
	t.Helper()
	ctx := context.Background()
	p, err := db.OpenWith(ctx, testdb.New(t)+"&pool_max_conns=12", db.Options{Lanes: 3, LaneWait: wait})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	if p.Lanes == nil || p.Lanes.Len() != 3 || p.PGX.Config().MaxConns != 3 {
		t.Fatalf("lanes %v, shared MaxConns %d: want 3 lanes and 3 shared", p.Lanes, p.PGX.Config().MaxConns)
	}
	for i := range tenants {
		if _, err := p.PGX.Exec(ctx, fmt.Sprintf("CREATE SCHEMA s%d; CREATE TABLE s%[1]d.t (id bigint PRIMARY KEY); INSERT INTO s%[1]d.t VALUES (1)", i)); err != nil {
			t.Fatal(err)
		}
	}
	var sec atomic.Int64 // still: no text becomes hot unless the test moves it on
	sec.Store(1_000_000)
	s := db.NewStatements(p.PGX, 1000).WithLanes(p.Lanes)
	db.SetStatementsClock(s, func() time.Time { return time.Unix(sec.Load(), 0) })
	return p, s, func() { sec.Add(1) }
}

// backendOf runs tenant i's statement (of its table, cold unless made hot) and returns
// the backend that ran it.
func backendOf(ctx context.Context, s *db.Statements, i int) (uint32, error) {
	rows, err := s.QueryFor(ctx, fmt.Sprintf("s%d", i), 1, fmt.Sprintf("SELECT pg_backend_pid()::bigint FROM s%d.t WHERE id = $1", i), 1)
	if err != nil {
		return 0, err
	}
	pid, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[int64])
	return uint32(pid), err
}

// pids are the backends of the connections pool holds now.
func pids(t *testing.T, pool *pgxpool.Pool) map[uint32]bool {
	t.Helper()
	conns := pool.AcquireAllIdle(context.Background())
	out := make(map[uint32]bool, len(conns))
	for _, c := range conns {
		out[c.Conn().PgConn().PID()] = true
		c.Release()
	}
	return out
}

// A tenant's statements run only on its lane's connections: many tenants, at once, as
// many at a time per lane as it has connections; every backend that served a tenant is
// one of its lane's, no lane's backends serve another's tenants, nothing overflowed.
func TestATenantsStatementsStayInItsLane(t *testing.T) {
	t.Parallel()
	const tenants = 24
	p, s, _ := lanesPool(t, time.Minute, tenants)
	ctx := context.Background()
	served := make([]map[uint32]bool, tenants)
	var mu sync.Mutex
	byLane := map[int][]int{}
	for i := range tenants {
		served[i] = map[uint32]bool{}
		l := p.Lanes.Lane(fmt.Sprintf("s%d", i))
		byLane[l] = append(byLane[l], i)
	}
	if len(byLane) != 3 {
		t.Fatalf("24 tenants over %d lanes, want all 3 used: %v", len(byLane), byLane)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 9)
	for _, ts := range byLane {
		for g := range 3 { // a lane's three connections, each busy with a goroutine
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := range 60 {
					i := ts[(n+g)%len(ts)]
					pid, err := backendOf(ctx, s, i)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					served[i][pid] = true
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	lanePids := make([]map[uint32]bool, 3)
	for l := range 3 {
		lanePids[l] = pids(t, p.Lanes.Pool(l))
	}
	for i := range tenants {
		l := p.Lanes.Lane(fmt.Sprintf("s%d", i))
		for pid := range served[i] {
			if !lanePids[l][pid] {
				t.Errorf("tenant %d (lane %d) ran on backend %d, not one of its lane's %v", i, l, pid, lanePids[l])
			}
		}
	}
	if n := p.Lanes.Overflows(); n != 0 {
		t.Errorf("%d statements overflowed with no lane saturated", n)
	}
	if shared, _ := p.Lanes.Conns(); shared > 1 { // the one that created the tables
		t.Errorf("%d shared connections opened by statements of lanes", shared)
	}
}

// holdLane takes every connection of lane l, for as long as the test wants.
func holdLane(t *testing.T, p *db.Pool, l int) (release func()) {
	t.Helper()
	pool := p.Lanes.Pool(l)
	var held []*pgxpool.Conn
	for range pool.Config().MaxConns {
		c, err := pool.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	return func() {
		for _, c := range held {
			c.Release()
		}
	}
}

// A tenant whose lane is saturated waits LaneWait at most, then runs on a shared
// connection: it is not starved. When every connection is taken, a statement waits
// (its context bounds the wait) and runs as soon as one is given back: no deadlock.
func TestASaturatedLaneOverflowsAfterItsWait(t *testing.T) {
	t.Parallel()
	const wait = 100 * time.Millisecond
	p, s, _ := lanesPool(t, wait, 1)
	ctx := context.Background()
	lane := p.Lanes.Lane("s0")
	release := holdLane(t, p, lane)
	defer release()

	start := time.Now()
	pid, err := backendOf(ctx, s, 0)
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if took < wait || took > wait+3*time.Second {
		t.Errorf("the statement of a saturated lane ran after %v, want a little over LaneWait (%v)", took, wait)
	}
	if !pids(t, p.PGX)[pid] {
		t.Errorf("it ran on backend %d, not a shared one", pid)
	}
	if n := p.Lanes.Overflows(); n != 1 {
		t.Errorf("overflows %d, want 1", n)
	}

	// every connection taken: the lane's (held above), and the shared ones
	var shared []*pgxpool.Conn
	for range p.PGX.Config().MaxConns {
		c, err := p.PGX.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		shared = append(shared, c)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = backendOf(short, s, 0)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("with every connection taken, a statement whose context ends answered %v, want its deadline", err)
	}
	done := make(chan error, 1)
	go func() { _, err := backendOf(ctx, s, 0); done <- err }()
	time.Sleep(200 * time.Millisecond)
	shared[0].Release() // one shared connection given back: the waiting statement runs
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a statement still waits 10 s after a connection was given back")
	}
	for _, c := range shared[1:] {
		c.Release()
	}
}

// A hot text (prepared on each connection) takes any idle connection at once: with its
// tenant's lane saturated and a LaneWait of a minute, it runs without waiting, and
// counts no overflow.
func TestAHotTextRunsOnAnyIdleConnection(t *testing.T) {
	t.Parallel()
	p, s, tick := lanesPool(t, time.Minute, 1)
	ctx := context.Background()
	for range db.HotUses {
		if _, err := backendOf(ctx, s, 0); err != nil {
			t.Fatal(err)
		}
	}
	tick() // a second of HotUses uses: hot from now on
	lane := p.Lanes.Lane("s0")
	release := holdLane(t, p, lane)
	defer release()
	start := time.Now()
	pid, err := backendOf(ctx, s, 0)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("a hot text waited %v for its saturated lane", took)
	}
	if pids(t, p.Lanes.Pool(lane))[pid] {
		t.Errorf("ran on backend %d of its held lane", pid)
	}
	if n := p.Lanes.Overflows(); n != 0 {
		t.Errorf("overflows %d, want 0", n)
	}
}

// However the statements come (many tenants, hot and cold, lists in pipelines, creates
// in groups, more goroutines than connections), the database never sees more of the
// pool's connections than its budget.
func TestLanesNeverExceedTheBudget(t *testing.T) {
	t.Parallel()
	const tenants = 12
	p, s, tick := lanesPool(t, time.Millisecond, tenants)
	ctx := context.Background()
	watch, err := pgx.ConnectConfig(ctx, p.PGX.Config().ConnConfig)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(ctx)
	var peak atomic.Int64
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			default:
			}
			var n int64
			if err := watch.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()").Scan(&n); err != nil {
				return
			}
			if n > peak.Load() {
				peak.Store(n)
			}
			shared, lanes := p.Lanes.Conns()
			for _, c := range lanes {
				shared += c
			}
			if int64(shared) > peak.Load() {
				peak.Store(int64(shared))
			}
		}
	}()
	var wg sync.WaitGroup
	errs := make(chan error, 48)
	for g := range 48 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for n := range 80 {
				i := r.IntN(tenants)
				key := fmt.Sprintf("s%d", i)
				var err error
				switch n % 4 {
				case 0, 1:
					_, err = backendOf(ctx, s, i)
				case 2:
					var b pgx.Batch
					b.Queue(fmt.Sprintf("SELECT id FROM s%d.t", i))
					b.Queue("SELECT pg_sleep(0.002)")
					err = s.SendBatchFor(ctx, key, &b).Close()
				case 3:
					var c *pgxpool.Conn
					if c, err = s.AcquireFor(ctx, key); err == nil {
						_, err = c.Exec(ctx, "SELECT pg_sleep(0.001)")
						c.Release()
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
		if g == 24 {
			tick() // the texts used 50 times in the last second are hot from here on
		}
	}
	wg.Wait()
	close(stop)
	<-watched
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if n := peak.Load(); n > 12 || n < 4 {
		t.Errorf("peak of %d connections, want at most the budget of 12 (and some lanes used)", n)
	}
	t.Logf("peak %d connections of 12, %d overflows", peak.Load(), p.Lanes.Overflows())
}
