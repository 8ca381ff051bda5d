package changes

import (
	"context"
	"maps"
	"time"
)

// leaseView is the write path's view of the leased feeds, as of at.
type leaseView struct {
	at   time.Time
	keys map[feedKey]struct{}
}

// maxLeaseView bounds the view: past it, the view is not trusted and every change is
// logged (Wants), rather than holding an unbounded map.
const maxLeaseView = 100_000

// openLeaseSQL leases feeds ($1, $2: tenant ids and models) for the resume window ($3
// seconds). A feed leased anew, or whose lease had lapsed, starts now and is whole only
// from the last position drawn so far (since); a live lease keeps both. wait is how long
// from now until every replica's write path must log the feed ($4 seconds after it
// started: see Wants).
const openLeaseSQL = `INSERT INTO forma.change_feeds AS f (tenant_id, model, until, since, started)
SELECT u.t, u.m, now() + make_interval(secs => $3),
	COALESCE(pg_sequence_last_value(pg_get_serial_sequence('forma.changes', 'id')), 0), now()
FROM unnest($1::bigint[], $2::text[]) AS u (t, m)
ON CONFLICT (tenant_id, model) DO UPDATE SET until = greatest(f.until, excluded.until),
	since = CASE WHEN f.until < now() THEN excluded.since ELSE f.since END,
	started = CASE WHEN f.until < now() THEN now() ELSE f.started END
RETURNING since, greatest(0, extract(epoch FROM f.started + make_interval(secs => $4) - now()))::float8`

// openLease leases feed k and returns the position from which its log is whole, and
// when every replica's write path must log it (ready). The feed is added to this
// replica's view at once and announced to the others, which reload their views on the
// notice; should a notice be lost, a view older than trustView is not trusted (Wants),
// so the trust window from the lease's start, with a margin for clocks, is enough.
func (s *Service) openLease(ctx context.Context, k feedKey) (since int64, ready time.Time, err error) {
	var wait float64
	err = s.pool.QueryRow(ctx, openLeaseSQL, []int64{k.tenant}, []string{k.model}, s.opts.Retention.Seconds(),
		(s.trustView()+s.opts.Refresh).Seconds()).Scan(&since, &wait)
	if err != nil {
		return 0, time.Time{}, err
	}
	if v := s.leases.Load(); v == nil || !has(v, k) {
		s.addToView(k)
		if _, err := s.pool.Exec(ctx, `SELECT pg_notify('`+feedsChannel+`', '')`); err != nil {
			s.opts.Logger.Warn("changes: announcing a feed", "err", err)
		}
	}
	return since, time.Now().Add(time.Duration(wait * float64(time.Second))), nil
}

// trustView is how old a lease view may be and still be trusted by the write path.
func (s *Service) trustView() time.Duration { return 2 * s.opts.Refresh }

func has(v *leaseView, k feedKey) bool { _, ok := v.keys[k]; return ok }

// addToView adds k to the lease view, keeping its age.
func (s *Service) addToView(k feedKey) {
	for {
		old := s.leases.Load()
		nv := &leaseView{at: time.Now(), keys: map[feedKey]struct{}{k: {}}}
		if old != nil {
			nv.at, nv.keys = old.at, maps.Clone(old.keys)
			nv.keys[k] = struct{}{}
		}
		if s.leases.CompareAndSwap(old, nv) {
			return
		}
	}
}

// keepLeaseView reloads the lease view every Refresh, and at once when a feed is
// announced (listen).
func (s *Service) keepLeaseView(ctx context.Context) {
	t := time.NewTicker(s.opts.Refresh)
	defer t.Stop()
	for {
		if err := s.loadLeaseView(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("changes: reading the leased feeds", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.reload:
		}
	}
}

func (s *Service) loadLeaseView(ctx context.Context) error {
	at := time.Now()
	rows, err := s.pool.Query(ctx, `SELECT tenant_id, model FROM forma.change_feeds WHERE until > now() LIMIT $1`, maxLeaseView+1)
	if err != nil {
		return err
	}
	defer rows.Close()
	keys := map[feedKey]struct{}{}
	for rows.Next() {
		var k feedKey
		if err := rows.Scan(&k.tenant, &k.model); err != nil {
			return err
		}
		keys[k] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(keys) > maxLeaseView {
		return nil // too many to hold: the view ages out, and every change is logged
	}
	s.leases.Store(&leaseView{at: at, keys: keys})
	return nil
}

// maintain renews the leases of this replica's feeds, often enough that none lapses
// while it has a stream, and sweeps the log (idempotent, so every replica does), both
// every leaseEvery.
func (s *Service) maintain(ctx context.Context) {
	t := time.NewTicker(leaseEvery(s.opts.Retention))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.renewLeases(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("changes: renewing leases", "err", err)
		}
		if err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("changes: sweeping the log", "err", err)
		}
	}
}

// renewLeases extends the lease of every feed this replica holds.
func (s *Service) renewLeases(ctx context.Context) error {
	s.mu.Lock()
	var tenants []int64
	var models []string
	for k := range s.feeds {
		tenants, models = append(tenants, k.tenant), append(models, k.model)
	}
	s.mu.Unlock()
	if len(tenants) == 0 {
		return nil
	}
	_, err := s.pool.Exec(ctx, openLeaseSQL, tenants, models, s.opts.Retention.Seconds(), 0.0)
	return err
}

// leaseEvery is how often leases are renewed and the log swept: a quarter of the resume
// window, at most a minute.
func leaseEvery(retention time.Duration) time.Duration { return min(retention/4, time.Minute) }
