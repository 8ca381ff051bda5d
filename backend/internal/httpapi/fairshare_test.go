package httpapi_test

import (
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
)

// A tenant whose data requests hold its whole share of the database (database_connections)
// waits for a slot and is answered 429 when none comes, while another tenant's reads are
// served at once.
func TestDatabaseShareHoldsOneTenantNotTheOthers(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	noisy, quiet := s.Tenant(t, "noisy"), s.Tenant(t, "quiet")
	for _, tk := range []struct{ slug, admin, write string }{{"noisy", noisy.Admin, noisy.Write}, {"quiet", quiet.Admin, quiet.Write}} {
		s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/"+tk.slug+"/models/event", tk.admin, loadEventModel)
		s.MustJSON(t, 201, nil, "POST", "/api/v1/t/"+tk.slug+"/data/event", tk.write, `{"country":"PL"}`)
	}
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/noisy", s.AdminKey, `{"limits":{"database_connections":2}}`)

	release := holdRequests(t, s, 2, "/api/v1/t/noisy/data/event", noisy.Write)

	if rec := s.Do("GET", "/api/v1/t/quiet/data/event/1", quiet.Read, ""); rec.Code != 200 {
		t.Fatalf("the other tenant, while the share is held: %d %s", rec.Code, rec.Body)
	}
	rec := s.Do("GET", "/api/v1/t/noisy/data/event/1", noisy.Read, "")
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), `"code":"rate_limited"`) ||
		!strings.Contains(rec.Body.String(), "database_connections") || rec.Header().Get("RateLimit-Policy") != `"database";q=2;w=1` {
		t.Fatalf("the tenant whose share is held: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if rec := s.Do("GET", "/api/v1/t/noisy", noisy.Read, ""); rec.Code != 200 {
		t.Fatalf("a route that is not the data API, while the share is held: %d %s", rec.Code, rec.Body)
	}

	// A request that waits is served once a slot is free.
	waited := make(chan int, 1)
	go func() { waited <- s.Do("GET", "/api/v1/t/noisy/data/event/1", noisy.Read, "").Code }()
	held := release()
	if code := <-waited; code != 200 {
		t.Fatalf("the request that waited: %d", code)
	}
	if held[0] != 400 || held[1] != 400 { // an empty body: the point was to hold them
		t.Fatalf("held requests answered %v", held)
	}
	body := s.Do("GET", "/metrics", "", "").Body.String()
	if !strings.Contains(body, "forma_tenant_dbshare_entries 2") {
		t.Errorf("/metrics lacks forma_tenant_dbshare_entries 2")
	}
}
