package httpapi_test

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/cpuclock"
	"forma.dev/backend/internal/limits"
)

// loadEventModel is the Event model of the load benchmark (docs/benchmarks-load.md).
const loadEventModel = `{"name":"event","fields":[
 {"name":"timestamp","type":"datetime","options":{"auto_now_add":true}},
 {"name":"country","type":"text","required":true,"options":{"max_length":3},"choices":["PL","DE","US","GB"],"index":true},
 {"name":"source","type":"text","options":{"max_length":10}},
 {"name":"value","type":"integer"}]}`

// BenchmarkRecordsAPI measures the load benchmark's requests through the whole handler
// (gin, auth, the tenant's limits, records, Postgres) without a network: get one record,
// a list page of 20 and a create. The tenant's requests per second are counted (in
// process), at a limit the loop never reaches.
func BenchmarkRecordsAPI(b *testing.B) {
	s := apitest.Start(b, tenantLimits(map[limits.Name]int64{limits.RequestsPerSecond: limits.RequestsPerSecond.Max()}))
	bench := s.Tenant(b, "bench")
	s.MustJSON(b, 200, nil, "PUT", "/api/v1/t/bench/models/event", bench.Admin, loadEventModel)
	var bulk strings.Builder
	bulk.WriteByte('[')
	for i := range 200 {
		if i > 0 {
			bulk.WriteByte(',')
		}
		bulk.WriteString(`{"country":"` + []string{"PL", "DE", "US", "GB"}[i%4] + `","source":"web","value":` + strconv.Itoa(i) + `}`)
	}
	bulk.WriteByte(']')
	s.MustJSON(b, 201, nil, "POST", "/api/v1/t/bench/data/event", bench.Write, bulk.String())

	run := func(name string, status int, path func(i int) string, method, body string) {
		b.Run(name, func(b *testing.B) {
			defer cpuclock.Report(b)()
			for i := 0; b.Loop(); i++ {
				if rec := s.Do(method, path(i), bench.Write, body); rec.Code != status {
					b.Fatalf("%s %s: %d %s", method, path(i), rec.Code, rec.Body)
				}
			}
		})
	}
	run("get", 200, func(i int) string { return "/api/v1/t/bench/data/event/" + strconv.Itoa(i%200+1) }, "GET", "")
	run("list20", 200, func(int) string { return "/api/v1/t/bench/data/event?country=PL&sort=-timestamp&limit=20" }, "GET", "")
	run("create", 201, func(int) string { return "/api/v1/t/bench/data/event" }, "POST", `{"country":"DE","source":"web","value":7}`)
}

// BenchmarkTenantLimit measures what the tenant's limits add to a get of one record:
// none (off), requests per second counted in process (memory), and counted in Redis,
// one round trip each (redis; TEST_REDIS_URL or the local default).
func BenchmarkTenantLimit(b *testing.B) {
	high := map[limits.Name]int64{limits.RequestsPerSecond: limits.RequestsPerSecond.Max()}
	redisURL := os.Getenv("TEST_REDIS_URL")
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379/0"
	}
	for _, v := range []struct {
		name string
		opts []func(*config.Config)
	}{
		{"off", []func(*config.Config){func(c *config.Config) { c.TenantLimits = limits.Set{} }}},
		{"memory", []func(*config.Config){tenantLimits(high)}},
		{"redis", []func(*config.Config){tenantLimits(high), func(c *config.Config) {
			c.RedisURL, c.RedisPrefix = redisURL, "forma-bench-"+strconv.FormatInt(time.Now().UnixNano(), 36)+":"
		}}},
	} {
		b.Run(v.name, func(b *testing.B) {
			s := apitest.Start(b, v.opts...)
			bench := s.Tenant(b, "bench")
			s.MustJSON(b, 200, nil, "PUT", "/api/v1/t/bench/models/event", bench.Admin, loadEventModel)
			s.MustJSON(b, 201, nil, "POST", "/api/v1/t/bench/data/event", bench.Write, `{"country":"PL"}`)
			defer cpuclock.Report(b)()
			for b.Loop() {
				if rec := s.Do("GET", "/api/v1/t/bench/data/event/1", bench.Write, ""); rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
