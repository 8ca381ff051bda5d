package db

import (
	"context"
	"errors"
	"hash/maphash"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres keeps catalog entries and plans per connection (backend). With thousands of
// tenants, a pool whose every connection serves every tenant ends with every backend
// caching every tenant's tables: measured over 4,000 tables and 32 connections, a
// connection reading from its own 1/32 of them read 3.3 times faster (60 against 232 µs
// of Postgres CPU per read) and held 3.8 MiB of private memory against 50.
//
// Lanes give a tenant a few connections of its own: the pool's budget is split into a
// shared pool (the control plane, transactions, the statements of no tenant, and
// overflow) and Lanes small pools; a tenant's statements go to the lane its key hashes
// to, so each backend of a lane sees about 1/Lanes of the tenants. No lane starves: a
// statement that finds its lane's connections all busy waits at most LaneWait for one,
// then takes one of the shared pool. A statement whose text is hot (many uses a second,
// prepared on each connection, see Statements) may take any connection that is idle.
// The connections of the shared pool and of every lane add up to the pool's budget.

// DefaultLaneWait is how long a statement waits for a connection of its lane before it
// takes a shared one.
const DefaultLaneWait = 2 * time.Millisecond

// Lanes routes statements to connections by the tenant they are for.
type Lanes struct {
	shared *pgxpool.Pool
	lanes  []*pgxpool.Pool
	wait   time.Duration
	seed   maphash.Seed

	overflows atomic.Int64 // statements that took a shared connection after waiting LaneWait
}

// laneSizes splits a budget of total connections into lanes pools of perLane each and
// a shared pool of the rest: a quarter of the budget (at least 2) is shared. lanes is
// lowered until every lane has a connection.
func laneSizes(total, lanes int) (shared, perLane, n int) {
	minShared := max(2, total/4)
	if total-minShared < lanes {
		lanes = total - minShared
	}
	if lanes < 2 {
		return total, 0, 0
	}
	perLane = (total - minShared) / lanes
	return total - perLane*lanes, perLane, lanes
}

// Len is the number of lanes.
func (l *Lanes) Len() int { return len(l.lanes) }

// Lane is the lane of key (a tenant's schema): a hash, stable for the process.
func (l *Lanes) Lane(key string) int {
	return int(maphash.String(l.seed, key) % uint64(len(l.lanes)))
}

// Overflows is how many statements took a shared connection because their lane's were
// busy for LaneWait.
func (l *Lanes) Overflows() int64 { return l.overflows.Load() }

// Conns is how many connections are open now, in the shared pool and in every lane.
func (l *Lanes) Conns() (shared int, lanes []int) {
	lanes = make([]int, len(l.lanes))
	for i, p := range l.lanes {
		lanes[i] = int(p.Stat().TotalConns())
	}
	return int(l.shared.Stat().TotalConns()), lanes
}

// Pool is lane i's pool (tests).
func (l *Lanes) Pool(i int) *pgxpool.Pool { return l.lanes[i] }

// Acquire returns a connection for a statement of key's tenant: one of its lane's,
// else, after LaneWait, a shared one. hot (a text prepared on each connection) takes
// first any idle connection: its lane's, the shared pool's, another lane's.
func (l *Lanes) Acquire(ctx context.Context, key string, hot bool) (*pgxpool.Conn, error) {
	lane := l.lanes[l.Lane(key)]
	if hot {
		if idle(lane) {
			return lane.Acquire(ctx)
		}
		if idle(l.shared) {
			return l.shared.Acquire(ctx)
		}
		for _, p := range l.lanes {
			if idle(p) {
				return p.Acquire(ctx)
			}
		}
	} else if idle(lane) {
		return lane.Acquire(ctx)
	}
	waitCtx, cancel := context.WithTimeout(ctx, l.wait)
	c, err := lane.Acquire(waitCtx)
	cancel()
	if err == nil || ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) {
		return c, err
	}
	l.overflows.Add(1)
	return l.shared.Acquire(ctx)
}

// idle reports whether p has an idle connection or room for one: an Acquire now would
// not wait for another statement (it may, rarely, lose a race for it).
func idle(p *pgxpool.Pool) bool {
	s := p.Stat()
	return s.IdleConns() > 0 || s.TotalConns() < s.MaxConns()
}

// Close closes every lane's pool (not the shared one).
func (l *Lanes) Close() {
	for _, p := range l.lanes {
		p.Close()
	}
}
