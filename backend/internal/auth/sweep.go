package auth

import (
	"context"
	"time"

	"github.com/uptrace/bun/dialect/pgdialect"
)

// lastUsedPrecision is how stale a key's last_used_at may be: a sweep writes it only for
// keys whose stored time is older, so a key in constant use costs a write a minute.
const lastUsedPrecision = time.Minute

// sweepKeysSQL re-reads the live keys named, with their tenants, and records their use.
const sweepKeysSQL = `WITH used AS (
	UPDATE forma.keys SET last_used_at = now()
	WHERE lookup_id = ANY(?0) AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < now() - ?1 * interval '1 second'))
SELECT k.lookup_id, ` + keyColumns + `
WHERE k.lookup_id = ANY(?0) AND k.revoked_at IS NULL`

// sweep keeps the keys in use cached with one query for all of them: every half TTL it
// re-reads the keys used since the last sweep, extends the ones still live, forgets the
// others and records their use. With thousands of tenants, a lookup of its own per key
// per TTL would be a query (and a write of last_used_at) for most requests. A key the
// sweep misses (Postgres away, a key not used lately) is looked up on its own, as before.
func (s *Store) sweep(ctx context.Context) {
	if s.cache.ttl/2 <= 0 {
		return // no cache, or too short a one to sweep
	}
	t := time.NewTicker(s.cache.ttl / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sctx, cancel := context.WithTimeout(ctx, s.cache.ttl/2)
			s.sweepOnce(sctx, time.Now())
			cancel()
		}
	}
}

// sweepOnce re-reads the keys used since the last sweep.
func (s *Store) sweepOnce(ctx context.Context, start time.Time) {
	c := s.cache
	c.mu.Lock()
	var lookups []string
	c.keys.Range(func(lookup string, k *cachedKey) {
		if k.used {
			lookups, k.used = append(lookups, lookup), false
		}
	})
	gen := c.gen
	c.mu.Unlock()
	if len(lookups) == 0 {
		return
	}
	rows, err := s.db.QueryContext(ctx, sweepKeysSQL, pgdialect.Array(lookups), int(lastUsedPrecision/time.Second))
	if err != nil {
		return // each key is looked up again on its own when it expires
	}
	defer rows.Close()
	live := make(map[string]cachedKey, len(lookups))
	for rows.Next() {
		var lookup string
		k, err := scanKey(rows, &lookup)
		if err != nil {
			return
		}
		live[lookup] = k
	}
	if rows.Err() != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return // something was dropped meanwhile: what was read may be the row just revoked
	}
	c.sweeps++
	// The rows were read after start: a revocation committed later reaches this replica
	// by notice, or in the next sweep, within the TTL.
	expires := start.Add(c.ttl)
	for _, lookup := range lookups {
		k, ok := live[lookup]
		if !ok {
			c.keys.Remove(lookup) // revoked, or its tenant deleted
			continue
		}
		if e, cached := c.keys.Peek(lookup); cached && e.expires.Before(expires) {
			e.hash, e.principal, e.expires = k.hash, k.principal, expires
		}
	}
}
