package httpapi_test

import (
	"testing"

	"forma.dev/backend/internal/apitest"
)

func TestUndecodableQueryIsRefusedNotDropped(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `[{"country":"PL"},{"country":"DE"},{"country":"US"}]`)
	r := acme.Read
	bad := func(param string) []string { return []string{`"path":"` + param + `","code":"invalid_format"`} }
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "bad escape in a filter", Method: "GET", Path: "/api/v1/t/acme/data/event?country=%zz&limit=2", Key: r, Status: 400, Contains: bad("country")},
		{Name: "bad escape in a cursor", Method: "GET", Path: "/api/v1/t/acme/data/event?cursor=%%%", Key: r, Status: 400, Contains: bad("cursor")},
		{Name: "bad escape in fields", Method: "GET", Path: "/api/v1/t/acme/data/event?fields=%zz", Key: r, Status: 400, Contains: bad("fields")},
		{Name: "bad escape in a name", Method: "GET", Path: "/api/v1/t/acme/data/event?%zz=1", Key: r, Status: 400, Contains: bad("%zz")},
		{Name: "a semicolon", Method: "GET", Path: "/api/v1/t/acme/data/event?country=PL;source=web", Key: r, Status: 400, Contains: bad("country")},
		{Name: "not UTF-8", Method: "GET", Path: "/api/v1/t/acme/data/event?country=%ff", Key: r, Status: 400, Contains: bad("country")},
		{Name: "on a single record", Method: "GET", Path: "/api/v1/t/acme/data/event/1?expand=%zz", Key: r, Status: 400, Contains: bad("expand")},
		{Name: "on any route", Method: "GET", Path: "/healthz?x=%zz", Status: 400, Contains: bad("x")},
		{Name: "on a write", Method: "DELETE", Path: "/api/v1/t/acme/data/event/3?x=%2", Key: acme.Write, Status: 400, Contains: bad("x")},
		{Name: "good escapes", Method: "GET", Path: "/api/v1/t/acme/data/event?country__in=PL%2CDE&sort=%2Did&source__isnull=true&x%5F=", Key: r, Status: 400,
			Contains: []string{`"path":"x_","code":"unknown_field"`}},
		{Name: "good escapes answer", Method: "GET", Path: "/api/v1/t/acme/data/event?country__in=PL%2CDE&sort=%2Did&fields=id", Key: r, Status: 200,
			Contains: []string{`{"data":[{"id":2},{"id":1}],`}},
	})
}
