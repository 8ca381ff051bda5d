package metrics_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/metrics"
	"forma.dev/backend/internal/registry"
)

func TestScrapeShowsRequestsAndCache(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil, func() registry.Stats {
		return registry.Stats{Mode: "redis", Healthy: false, Entries: 3, Hits: 7, RedisLoads: 2, PostgresLoads: 5}
	})
	m.ObserveRequest("GET", "/api/v1/t/:tenant/data/:model", 200, 3*time.Millisecond)
	m.ObserveRequest("GET", "", 404, time.Millisecond)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`forma_http_requests_total{method="GET",route="/api/v1/t/:tenant/data/:model",status="200"} 1`,
		`forma_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`forma_http_request_duration_seconds_bucket{method="GET",route="/api/v1/t/:tenant/data/:model",status="200",le="0.005"} 1`,
		`forma_model_cache_info{mode="redis"} 1`,
		`forma_model_cache_healthy 0`,
		`forma_model_cache_entries 3`,
		`forma_model_cache_hits_total 7`,
		`forma_model_cache_loads_total{source="redis"} 2`,
		`forma_model_cache_loads_total{source="postgres"} 5`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}
