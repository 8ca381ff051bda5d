package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
)

func TestMetricsCountRequestsByRoute(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	tn := s.Tenant(t, "metered")
	s.Do("GET", "/api/v1/t/metered/data/nope", tn.Read, "")
	s.Do("GET", "/api/v1/no/such/path/42", "", "")
	rec := s.Do("GET", "/metrics", "", "")
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		`forma_http_requests_total{method="POST",route="/api/v1/tenants",status="201"} 1`,
		`forma_http_requests_total{method="GET",route="/api/v1/t/:tenant/data/:model",status="404"} 1`,
		`forma_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`forma_http_request_duration_seconds_count{method="POST",route="/api/v1/t/:tenant/keys",status="201"} 2`,
		`forma_model_cache_info{mode="memory"} 1`,
		`forma_model_cache_healthy 1`,
		`forma_model_cache_loads_total{source="postgres"} 1`,
		`pgxpool_max_conns{db_name="forma"} 8`, // the shared quarter of 32: the rest are the lanes'
		`forma_database_lane_overflows 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(body, "/no/such/path") || strings.Contains(body, "metered") {
		t.Error("/metrics shows a raw path")
	}
}

func TestMetricsMadeUpMethodsAndPathsAddNoSeries(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	count := func() int {
		return strings.Count(s.Do("GET", "/metrics", "", "").Body.String(), "\nforma_http_requests_total{")
	}
	s.Do("BREW0", "/api/v1/tenants", "", "")
	s.Do("GET", "/api/v1/no/such/path/0", "", "")
	count() // GET /metrics counts itself from its first scrape on
	before := count()
	for i := 1; i < 200; i++ {
		s.Do(fmt.Sprintf("BREW%d", i), "/api/v1/tenants", "", "")
		s.Do("GET", fmt.Sprintf("/api/v1/no/such/path/%d", i), "", "")
	}
	if after := count(); after != before {
		t.Fatalf("200 made-up methods and paths took the request series from %d to %d", before, after)
	}
	if body := s.Do("GET", "/metrics", "", "").Body.String(); !strings.Contains(body, `method="other",route="unmatched",status="405"`) {
		t.Error("/metrics does not count a made-up method as other")
	}
}
