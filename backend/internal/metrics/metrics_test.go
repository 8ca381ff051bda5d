package metrics_test

import (
	"fmt"
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

func TestLabelsComeFromAClosedSet(t *testing.T) {
	t.Parallel()
	m := metrics.New(nil, nil)
	m.ObserveRequest("GET", "/healthz", 200, time.Millisecond)
	before := series(t, m)
	for i := 0; i < 500; i++ {
		m.ObserveRequest(fmt.Sprintf("BREW%d", i), "", 405, time.Millisecond)
		m.ObserveRequest("get", "", 405, time.Millisecond)
	}
	if got := series(t, m); got != before+1 {
		t.Fatalf("500 made-up methods: %d request series, want %d (one for \"other\")", got, before+1)
	}
}

// series counts the series of forma_http_requests_total.
func series(t *testing.T, m *metrics.Metrics) int {
	t.Helper()
	families, err := m.Gatherer().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == "forma_http_requests_total" {
			return len(f.GetMetric())
		}
	}
	return 0
}
