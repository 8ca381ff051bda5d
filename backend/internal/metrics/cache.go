package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"forma.dev/backend/internal/registry"
)

// The model cache's metrics, read from registry.Stats at each scrape.
var (
	cacheInfo = prometheus.NewDesc("forma_model_cache_info",
		"Always 1; mode is redis (shared through Redis) or memory (no REDIS_URL).", []string{"mode"}, nil)
	cacheHealthy = prometheus.NewDesc("forma_model_cache_healthy",
		"1 when the cache runs as configured; 0 when Redis is configured but not subscribed (serving from Postgres).", nil, nil)
	cacheEntries = prometheus.NewDesc("forma_model_cache_entries",
		"Tenants whose models this replica holds now.", nil, nil)
	cacheHits = prometheus.NewDesc("forma_model_cache_hits_total",
		"Model lookups served from memory within the staleness window.", nil, nil)
	cacheMisses = prometheus.NewDesc("forma_model_cache_misses_total",
		"Model lookups that had to load a set.", nil, nil)
	cacheChecks = prometheus.NewDesc("forma_model_cache_version_checks_total",
		"Schema versions re-checked in Postgres (window elapsed, or a body named an unknown field).", nil, nil)
	cacheSweeps = prometheus.NewDesc("forma_model_cache_sweeps_total",
		"Sweeps that re-checked the versions of every tenant in use in one query.", nil, nil)
	cacheLoads = prometheus.NewDesc("forma_model_cache_loads_total",
		"Model sets loaded, by source (redis snapshot or postgres).", []string{"source"}, nil)
	cacheInvalidations = prometheus.NewDesc("forma_model_cache_invalidations_total",
		"Entries dropped as stale (a notice, a reload, or a whole-cache drop).", nil, nil)
	cacheDrops = prometheus.NewDesc("forma_model_cache_drops_total",
		"Whole-cache drops on a (re)subscription to the invalidation channel.", nil, nil)
	cacheEvictions = prometheus.NewDesc("forma_model_cache_evictions_total",
		"Entries evicted by the LRU bound (FORMA_CACHE_TENANTS).", nil, nil)
	cacheRedisErrors = prometheus.NewDesc("forma_model_cache_redis_errors_total",
		"Failed Redis calls of the model cache.", nil, nil)
)

// cacheCollector turns registry.Stats into metrics at scrape time.
type cacheCollector struct{ stats func() registry.Stats }

// Describe sends every descriptor the collector uses.
func (c cacheCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cacheInfo, cacheHealthy, cacheEntries, cacheHits, cacheMisses,
		cacheChecks, cacheSweeps, cacheLoads, cacheInvalidations, cacheDrops, cacheEvictions, cacheRedisErrors} {
		ch <- d
	}
}

// Collect reads the registry's Stats once and sends them.
func (c cacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stats()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge(cacheInfo, 1, s.Mode)
	healthy := 0.0
	if s.Healthy {
		healthy = 1
	}
	gauge(cacheHealthy, healthy)
	gauge(cacheEntries, float64(s.Entries))
	counter(cacheHits, s.Hits)
	counter(cacheMisses, s.Misses)
	counter(cacheChecks, s.Checks)
	counter(cacheSweeps, s.Sweeps)
	counter(cacheLoads, s.RedisLoads, "redis")
	counter(cacheLoads, s.PostgresLoads, "postgres")
	counter(cacheInvalidations, s.Invalidations)
	counter(cacheDrops, s.Drops)
	counter(cacheEvictions, s.Evictions)
	counter(cacheRedisErrors, s.RedisErrors)
}
