package httpapi_test

import (
	"testing"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
)

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "live", Method: "GET", Path: "/healthz", Status: 200, Contains: []string{`"status":"ok"`}},
		{Name: "ready", Method: "GET", Path: "/readyz", Status: 200, Contains: []string{`"postgres":{`, `"status":"ok"`, `"cache":{"entries":0,"healthy":true,"mode":"memory"}`}},
	})
}

func TestReadinessDegradesWithoutRedis(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, func(c *config.Config) { c.RedisURL = "redis://127.0.0.1:1/0" }) // nothing listens on port 1
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "live anyway", Method: "GET", Path: "/healthz", Status: 200},
		{Name: "ready, degraded: serving from Postgres", Method: "GET", Path: "/readyz", Status: 200,
			Contains: []string{`"redis":{"detail":"Redis is unreachable`, `serving models from Postgres`,
				`"status":"degraded"`, `"postgres":{`, `"cache":{"entries":0,"healthy":false,"mode":"redis"}`},
			Excludes: []string{"127.0.0.1"}},
	})
}
