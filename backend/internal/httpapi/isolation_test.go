package httpapi_test

import (
	"context"
	"fmt"
	"testing"

	"forma.dev/backend/internal/apitest"
)

// tenantRoutes has one route of every tenant route group, with the tenant slug as %s.
// Add a row when a route group gains a route.
var tenantRoutes = []struct{ method, path, body string }{
	{"GET", "/api/v1/t/%s", ""},
	{"GET", "/api/v1/t/%s/keys", ""},
	{"POST", "/api/v1/t/%s/keys", `{"name":"intruder","role":"admin"}`},
	{"DELETE", "/api/v1/t/%s/keys/1", ""},
	{"GET", "/api/v1/t/%s/models", ""},
	{"PUT", "/api/v1/t/%s/models/thing", `{"name":"thing","fields":[{"name":"x","type":"integer"}]}`},
	{"DELETE", "/api/v1/t/%s/models/thing?allow_data_loss=true", ""},
	{"GET", "/api/v1/t/%s/schema", ""},
	{"GET", "/api/v1/t/%s/data/thing", ""},
	{"POST", "/api/v1/t/%s/data/thing", `{"x":1}`},
	{"GET", "/api/v1/t/%s/webhooks", ""},
	{"POST", "/api/v1/t/%s/webhooks", `{"url":"https://example.com/","events":["record.created"]}`},
	{"GET", "/api/v1/t/%s/webhooks/1", ""},
	{"PATCH", "/api/v1/t/%s/webhooks/1", `{"enabled":false}`},
	{"DELETE", "/api/v1/t/%s/webhooks/1", ""},
	{"POST", "/api/v1/t/%s/webhooks/1/rotate", ""},
	{"GET", "/api/v1/t/%s/webhooks/1/deliveries", ""},
	{"POST", "/api/v1/t/%s/webhooks/1/deliveries/1/redeliver", ""},
	{"GET", "/api/v1/t/%s/data/thing/1", ""},
	{"PATCH", "/api/v1/t/%s/data/thing/1", `{"x":2}`},
	{"PUT", "/api/v1/t/%s/data/thing/1", `{"x":2}`},
	{"DELETE", "/api/v1/t/%s/data/thing/1", ""},
	{"GET", "/api/v1/t/%s/openapi.json", ""},
}

func TestAKeyOfOneTenantNeverReachesAnother(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	alpha, beta := s.Tenant(t, "alpha"), s.Tenant(t, "beta")
	var scenarios []apitest.Scenario
	for _, r := range tenantRoutes {
		for role, key := range map[string]string{"admin": alpha.Admin, "write": alpha.Write, "read": alpha.Read} {
			for _, target := range []string{"beta", "nosuch"} {
				scenarios = append(scenarios, apitest.Scenario{
					Name: "alpha " + role + " " + r.method + " " + target, Method: r.method, Path: fmt.Sprintf(r.path, target),
					Key: key, Body: r.body, Status: 404, Contains: []string{`"detail":"no such tenant"`},
					Excludes: []string{beta.Admin[:19], `"slug":"beta"`},
				})
			}
		}
	}
	apitest.Run(t, s, scenarios)
	// beta is untouched: its keys are the three it started with, its admin key works.
	var keys struct{ Data []struct{ Name string } }
	s.MustJSON(t, 200, &keys, "GET", "/api/v1/t/beta/keys", beta.Admin, "")
	if len(keys.Data) != 3 {
		t.Fatalf("beta has %d keys, want 3: %+v", len(keys.Data), keys.Data)
	}
	var tables int
	if err := s.App.DB.QueryRowContext(context.Background(),
		`SELECT count(*) FROM pg_tables WHERE schemaname = 't2_beta'`).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("beta's schema has %d tables (%v), want 0", tables, err)
	}
}
