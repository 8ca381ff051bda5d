package registry

import "sync/atomic"

// counters are the registry's running totals.
type counters struct {
	hits, misses, checks, sweeps, redisLoads, pgLoads atomic.Uint64
	invalidations, drops, evictions, redisErrors      atomic.Uint64
}

// Stats is a snapshot of the registry's counters, for /metrics and /readyz detail.
type Stats struct {
	Mode          string `json:"mode"`    // "redis" or "memory" (no REDIS_URL)
	Healthy       bool   `json:"healthy"` // false: Redis configured but not subscribed
	LastError     string `json:"last_error,omitempty"`
	Entries       int    `json:"entries"`        // tenants cached now
	Hits          uint64 `json:"hits"`           // Get served from memory within the window
	Misses        uint64 `json:"misses"`         // a set had to be loaded
	Checks        uint64 `json:"checks"`         // versions re-checked in Postgres one tenant at a time, after the window
	Sweeps        uint64 `json:"sweeps"`         // versions of the tenants in use re-checked together
	RedisLoads    uint64 `json:"redis_loads"`    // sets loaded from a Redis snapshot
	PostgresLoads uint64 `json:"postgres_loads"` // sets loaded from Postgres
	Invalidations uint64 `json:"invalidations"`  // entries dropped as stale
	Drops         uint64 `json:"drops"`          // whole-cache drops on (re)subscription
	Evictions     uint64 `json:"evictions"`      // entries evicted by the LRU bound
	RedisErrors   uint64 `json:"redis_errors"`   // failed Redis calls
}

// Stats returns the current counters.
func (r *Registry) Stats() Stats {
	r.mu.Lock()
	n := r.cache.Len()
	r.mu.Unlock()
	s := Stats{Mode: "memory", Healthy: r.Healthy(), Entries: n,
		Hits: r.stats.hits.Load(), Misses: r.stats.misses.Load(), Checks: r.stats.checks.Load(), Sweeps: r.stats.sweeps.Load(),
		RedisLoads: r.stats.redisLoads.Load(), PostgresLoads: r.stats.pgLoads.Load(),
		Invalidations: r.stats.invalidations.Load(), Drops: r.stats.drops.Load(),
		Evictions: r.stats.evictions.Load(), RedisErrors: r.stats.redisErrors.Load()}
	if r.rdb != nil {
		s.Mode = "redis"
	}
	if e, ok := r.lastErr.Load().(string); ok {
		s.LastError = e
	}
	return s
}

// Healthy reports whether the cache runs as configured: true without Redis, and with
// Redis while it is subscribed. Unhealthy still serves (from Postgres); /readyz shows it
// as detail, not as a failure.
func (r *Registry) Healthy() bool { return r.bus == nil || r.bus.Live() }
