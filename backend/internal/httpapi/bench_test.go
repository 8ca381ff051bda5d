package httpapi_test

import (
	"strconv"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/cpuclock"
)

// loadEventModel is the Event model of the load benchmark (docs/benchmarks-load.md).
const loadEventModel = `{"name":"event","fields":[
 {"name":"timestamp","type":"datetime","options":{"auto_now_add":true}},
 {"name":"country","type":"text","required":true,"options":{"max_length":3},"choices":["PL","DE","US","GB"],"index":true},
 {"name":"source","type":"text","options":{"max_length":10}},
 {"name":"value","type":"integer"}]}`

// BenchmarkRecordsAPI measures the load benchmark's requests through the whole handler
// (gin, auth, records, Postgres) without a network: get one record, a list page of 20
// and a create.
func BenchmarkRecordsAPI(b *testing.B) {
	s := apitest.Start(b)
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
