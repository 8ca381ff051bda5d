// Package metrics exposes Forma's Prometheus metrics: HTTP requests by route and status,
// the model cache's counters, the Postgres pool, and the Go runtime. Each App has its
// own prometheus.Registry, so several replicas can run in one process (tests).
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/IBM/pgxpoolprometheus"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"forma.dev/backend/internal/registry"
)

// UnmatchedRoute is the route label of requests that matched no route, so that
// scanners probing random paths cannot grow the number of series.
const UnmatchedRoute = "unmatched"

// OtherMethod is the method label of requests whose method is not one of HTTP's
// standard ones: any token is a valid method, so labels taken from the request as sent
// would let anyone add series without end.
const OtherMethod = "other"

// Metrics holds one replica's collectors.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// New registers the HTTP metrics, the model cache's Stats (cache may be nil), the
// statistics of the Postgres pool (may be nil; pgxpool_* metrics), and the Go runtime and
// process collectors.
func New(pool *pgxpool.Pool, cache func() registry.Stats) *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "forma_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "forma_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method, route pattern and status code.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cache != nil {
		m.reg.MustRegister(cacheCollector{stats: cache})
	}
	if pool != nil {
		m.reg.MustRegister(pgxpoolprometheus.NewCollector(pool, map[string]string{"db_name": "forma"}))
	}
	return m
}

// ObserveRequest counts one answered request; route is the matched pattern (e.g.
// /api/v1/t/:tenant/data/:model), never the raw path; "" counts as UnmatchedRoute, and a
// method outside HTTP's standard ones as OtherMethod.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	if route == "" {
		route = UnmatchedRoute
	}
	code := strconv.Itoa(status)
	method = methodLabel(method)
	m.requests.WithLabelValues(method, route, code).Inc()
	m.duration.WithLabelValues(method, route, code).Observe(d.Seconds())
}

// methodLabel folds every method but the standard ones into OtherMethod. Methods are
// case-sensitive (RFC 9110), so "get" is another method too.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return OtherMethod
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Gatherer returns the registry behind Handler, for tests.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// Gauge registers a gauge read from value at each scrape, e.g. the size of a bounded
// cache. A name registered already keeps its first value function.
func (m *Metrics) Gauge(name, help string, value func() float64) {
	_ = m.reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value))
}
