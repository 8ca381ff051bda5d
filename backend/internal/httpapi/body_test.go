package httpapi_test

import (
	"testing"

	"forma.dev/backend/internal/apitest"
)

func TestBodiesNamingAMemberTwiceOrHoldingBadTextAreRefused(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	at := func(path, code string) []string { return []string{`"path":"` + path + `","code":"` + code + `"`} }
	w := acme.Write
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "tenant slug twice", Method: "POST", Path: "/api/v1/tenants", Key: s.AdminKey, Body: `{"slug":"a","name":"A","slug":"b"}`,
			Status: 400, Contains: at("slug", "duplicate")},
		{Name: "no tenant b", Method: "GET", Path: "/api/v1/tenants/b", Key: s.AdminKey, Status: 404},
		{Name: "record member twice", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: `{"country":"PL","country":"DE"}`,
			Status: 400, Contains: at("country", "duplicate")},
		{Name: "bulk member twice", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: `[{"country":"PL"},{"country":"PL","value":1,"value":2}]`,
			Status: 400, Contains: at("[1].value", "duplicate")},
		{Name: "lone surrogate", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: `{"country":"PL","source":"\ud800"}`,
			Status: 400, Contains: at("source", "invalid_format")},
		{Name: "not UTF-8", Method: "PATCH", Path: "/api/v1/t/acme/data/event/1", Key: w, Body: "{\"source\":\"\xff\"}",
			Status: 400, Contains: at("source", "invalid_format")},
		{Name: "definition field twice", Method: "PUT", Path: "/api/v1/t/acme/models/tag", Key: acme.Admin,
			Body: `{"fields":[{"name":"label","type":"text","type":"integer"}]}`, Status: 400, Contains: at("fields[0].type", "duplicate")},
		{Name: "nothing written", Method: "GET", Path: "/api/v1/t/acme/data/event", Key: acme.Read, Status: 200, Contains: []string{`"data":[]`}},
	})
}
