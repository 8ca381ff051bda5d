package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
)

func eventRows(n int, bad func(i int) string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		if s := bad(i); s != "" {
			b.WriteString(s)
			continue
		}
		fmt.Fprintf(&b, `{"country":"PL","source":"s%d","value":%d}`, i, i)
	}
	return b.String() + "]"
}

// TestBulkCreatesCopiedAllOrNothing: an array by a built-in role is copied, answered
// as before (every record, in body order), or with Prefer: return=minimal by its
// count; a refused row, by the validator or by the database, writes nothing.
func TestBulkCreatesCopiedAllOrNothing(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	w, r := acme.Write, acme.Read
	ok := func(int) string { return "" }
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "owners", Method: "POST", Path: "/api/v1/t/acme/data/owner", Key: w, Body: `[{"email":"a@x.io"},{"email":"b@x.io"}]`,
			Status: 201, Contains: []string{`{"data":[{"id":1,`, `"email":"a@x.io"`, `{"id":2,`}},
		{Name: "echoed in order", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: eventRows(3, ok),
			Status: 201, Contains: []string{`{"id":1,`, `"source":"s0"`, `{"id":2,`, `"source":"s1"`, `{"id":3,`, `"source":"s2"`}},
		{Name: "every bad row named", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w,
			Body: eventRows(6, func(i int) string {
				switch i {
				case 3:
					return `{"country":"PL","value":-1}`
				case 5:
					return `{"value":1}`
				}
				return ""
			}), Status: 400, Contains: []string{`"path":"[3].value","code":"min"`, `"path":"[5].country","code":"required"`}},
		{Name: "duplicate mid-batch", Method: "POST", Path: "/api/v1/t/acme/data/owner", Key: w,
			Body: `[{"email":"c@x.io"},{"email":"a@X.IO"},{"email":"d@x.io"}]`, Status: 409, Contains: []string{`"path":"email","code":"duplicate"`}},
		{Name: "missing relation mid-batch", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w,
			Body: eventRows(4, func(i int) string {
				if i == 2 {
					return `{"country":"DE","owner":99}`
				}
				return ""
			}), Status: 409, Contains: []string{`"path":"owner","code":"not_found"`}},
		{Name: "no owner written", Method: "GET", Path: "/api/v1/t/acme/data/owner", Key: r, Status: 200,
			Contains: []string{`{"id":2,`}, Excludes: []string{`c@x.io`, `d@x.io`}},
		{Name: "no event written", Method: "GET", Path: "/api/v1/t/acme/data/event?country=DE", Key: r, Status: 200, Contains: []string{`"data":[]`}},
	})
	for _, prefer := range []string{"return=minimal", `respond-async, return="minimal"; x=1`, "RETURN=minimal"} {
		req := s.Request("POST", "/api/v1/t/acme/data/event", w, eventRows(5, ok))
		req.Header.Set("Prefer", prefer)
		res := s.Serve(req)
		if res.Code != http.StatusCreated || res.Body.String() != `{"created":5}` || res.Header().Get("Preference-Applied") != "return=minimal" ||
			res.Header().Get("Forma-Schema-Version") == "" {
			t.Fatalf("Prefer %s: %d %s %v", prefer, res.Code, res.Body, res.Header())
		}
	}
	for _, bad := range []struct{ path, body, problem string }{
		{"owner", `[{"email":"e@x.io"},{"email":"a@X.IO"}]`, `"path":"email","code":"duplicate"`},
		{"event", eventRows(4, func(i int) string {
			if i == 2 {
				return `{"country":"DE","owner":99}`
			}
			return ""
		}), `"path":"owner","code":"not_found"`},
	} { // copied: refused as inserted, nothing written
		req := s.Request("POST", "/api/v1/t/acme/data/"+bad.path, w, bad.body)
		req.Header.Set("Prefer", "return=minimal")
		if res := s.Serve(req); res.Code != http.StatusConflict || !strings.Contains(res.Body.String(), bad.problem) {
			t.Fatalf("%s: %d %s", bad.path, res.Code, res.Body)
		}
	}
	s.MustJSON(t, 200, nil, "GET", "/api/v1/t/acme/data/owner", r, "")
	if res := s.Do("GET", "/api/v1/t/acme/data/owner", r, ""); strings.Contains(res.Body.String(), "e@x.io") {
		t.Fatalf("written: %s", res.Body)
	}
	var page struct{ Data []map[string]any }
	s.MustJSON(t, 200, &page, "GET", "/api/v1/t/acme/data/event?limit=100&sort=id", r, "")
	if len(page.Data) != 18 || page.Data[17]["source"] != "s4" || page.Data[17]["id"].(float64) <= page.Data[16]["id"].(float64) || page.Data[3]["source"] != "s0" {
		t.Fatalf("stored: %d records, last %v", len(page.Data), page.Data[len(page.Data)-1])
	}
	for _, prefer := range []string{"return=representation", "", "return=minimal"} {
		body := eventRows(2, ok)
		if prefer == "return=minimal" {
			body = `{"country":"US"}` // one object: answered with the record
		}
		req := s.Request("POST", "/api/v1/t/acme/data/event", w, body)
		if prefer != "" {
			req.Header.Set("Prefer", prefer)
		}
		res := s.Serve(req)
		if res.Code != http.StatusCreated || !strings.Contains(res.Body.String(), `"id":`) || res.Header().Get("Preference-Applied") != "" {
			t.Fatalf("Prefer %q: %d %s", prefer, res.Code, res.Body)
		}
	}
}

// TestBulkCopyWritesWebhookEvents: a copied batch, answered minimally or not, writes one
// record.created event per record, with the record as stored; a refused one, none.
func TestBulkCopyWritesWebhookEvents(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, allowPrivate)
	acme := s.Tenant(t, "acme")
	rc := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer rc.Close()
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin,
		`{"name":"event","fields":[{"name":"n","type":"integer","unique":true},{"name":"at","type":"datetime","options":{"auto_now_add":true}}]}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/webhooks", acme.Admin, `{"url":"`+rc.URL+`","events":["record.created"]}`)
	req := s.Request("POST", "/api/v1/t/acme/data/event", acme.Write, `[{"n":1},{"n":2},{"n":3}]`)
	req.Header.Set("Prefer", "return=minimal")
	if res := s.Serve(req); res.Code != 201 || res.Body.String() != `{"created":3}` {
		t.Fatalf("%d %s", res.Code, res.Body)
	}
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `[{"n":4},{"n":5}]`)
	s.MustJSON(t, 409, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `[{"n":6},{"n":1}]`)
	rows, err := s.App.DB.QueryContext(context.Background(),
		`SELECT (payload->'record'->>'id')::int, (payload->'record'->>'n')::int, payload->'record'->>'at' IS NOT NULL
		 FROM forma.webhook_events WHERE type = 'record.created' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id, n int
		var at bool
		if err := rows.Scan(&id, &n, &at); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d:%d:%v", id, n, at))
	}
	if want := "1:1:true 2:2:true 3:3:true 4:4:true 5:5:true"; strings.Join(got, " ") != want {
		t.Fatalf("events %v, want %s", got, want)
	}
}
