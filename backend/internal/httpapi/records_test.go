package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
)

const eventModel = `{"name":"event","admin":true,"fields":[
 {"name":"timestamp","type":"datetime","options":{"auto_now_add":true}},
 {"name":"country","type":"text","required":true,"options":{"max_length":3},"choices":["PL","DE","US"],"index":true},
 {"name":"source","type":"text","options":{"max_length":10}},
 {"name":"value","type":"integer","options":{"min":0}},
 {"name":"owner","type":"relation","related_model":"owner","options":{"on_delete":"set_null"}}]}`

const ownerModel = `{"name":"owner","fields":[{"name":"email","type":"email","unique":true}]}`

// startWithEvents starts a server with tenant acme holding the owner and event models.
func startWithEvents(t *testing.T) (*apitest.Server, apitest.Tenant) {
	t.Helper()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme.Admin, ownerModel)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, eventModel)
	return s, acme
}

func TestRecordsOverHTTP(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	w, r := acme.Write, acme.Read
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "create owner", Method: "POST", Path: "/api/v1/t/acme/data/owner", Key: w, Body: `{"email":"Ann@Example.COM"}`,
			Status: 201, Contains: []string{`"id":1`, `"email":"Ann@example.com"`}},
		{Name: "create event", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w,
			Body: `{"country":"PL","source":"web","value":5,"owner":1}`, Status: 201,
			Contains: []string{`"id":1`, `"country":"PL"`, `"timestamp":"20`}},
		{Name: "read key cannot write", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: r, Body: `{"country":"PL"}`, Status: 403},
		{Name: "bulk all or nothing", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w,
			Body: `[{"country":"DE","value":1},{"country":"XX","value":-1}]`, Status: 400,
			Contains: []string{`"path":"[1].country","code":"choice"`, `"path":"[1].value","code":"min"`}},
		{Name: "nothing written", Method: "GET", Path: "/api/v1/t/acme/data/event?country=DE", Key: r, Status: 200, Contains: []string{`"data":[]`}},
		{Name: "bulk", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w,
			Body: `[{"country":"DE","value":1},{"country":"US","value":2}]`, Status: 201, Contains: []string{`"id":2`, `"id":3`}},
		{Name: "filter and sort", Method: "GET", Path: "/api/v1/t/acme/data/event?value__gte=2&sort=-value", Key: r, Status: 200,
			Contains: []string{`"data":[{"id":1,`, `"next_cursor":null`}},
		{Name: "expand", Method: "GET", Path: "/api/v1/t/acme/data/event/1?expand=owner", Key: r, Status: 200,
			Contains: []string{`"owner":{"id":1,`, `"email":"Ann@example.com"`}},
		{Name: "unknown field", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: `{"country":"PL","colour":"red"}`,
			Status: 400, Contains: []string{`"path":"colour","code":"unknown_field"`}},
		{Name: "unknown model", Method: "GET", Path: "/api/v1/t/acme/data/nope", Key: r, Status: 404},
		{Name: "unknown lookup", Method: "GET", Path: "/api/v1/t/acme/data/event?value__like=1", Key: r, Status: 400,
			Contains: []string{`"code":"unknown_lookup"`}},
		{Name: "hostile query", Method: "GET", Path: "/api/v1/t/acme/data/event?country%27%3B%20drop%20table%20x--=1", Key: r, Status: 400},
		{Name: "missing relation target", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: `{"country":"PL","owner":99}`,
			Status: 409, Contains: []string{`"path":"owner","code":"not_found"`}},
		{Name: "duplicate unique", Method: "POST", Path: "/api/v1/t/acme/data/owner", Key: w, Body: `{"email":"Ann@example.com"}`,
			Status: 409, Contains: []string{`"path":"email","code":"duplicate"`}},
		{Name: "patch", Method: "PATCH", Path: "/api/v1/t/acme/data/event/1", Key: w, Body: `{"value":7}`, Status: 200,
			Contains: []string{`"value":7`, `"country":"PL"`}},
		{Name: "put needs required", Method: "PUT", Path: "/api/v1/t/acme/data/event/1", Key: w, Body: `{"value":7}`, Status: 400,
			Contains: []string{`"path":"country","code":"required"`}},
		{Name: "missing record", Method: "GET", Path: "/api/v1/t/acme/data/event/999", Key: r, Status: 404},
		{Name: "bad id", Method: "GET", Path: "/api/v1/t/acme/data/event/abc", Key: r, Status: 404},
		{Name: "delete", Method: "DELETE", Path: "/api/v1/t/acme/data/event/3", Key: w, Status: 204},
		{Name: "deleted", Method: "GET", Path: "/api/v1/t/acme/data/event/3", Key: r, Status: 404},
	})
}

func TestRecordETagAndIfMatch(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme.Admin, ownerModel)
	created := s.Do("POST", "/api/v1/t/acme/data/owner", acme.Write, `{"email":"a@x.io"}`)
	tag := created.Header().Get("ETag")
	if created.Code != 201 || tag == "" || created.Header().Get("Forma-Schema-Version") != "1" {
		t.Fatalf("create: %d %q %v", created.Code, tag, created.Header())
	}
	patch := func(etag string) int {
		req := s.Request("PATCH", "/api/v1/t/acme/data/owner/1", acme.Write, `{"email":"b@x.io"}`)
		req.Header.Set("If-Match", etag)
		return s.Serve(req).Code
	}
	if code := patch(tag); code != 200 {
		t.Fatalf("patch with the current ETag: %d", code)
	}
	if code := patch(tag); code != 412 {
		t.Fatalf("patch with a stale ETag: %d", code)
	}
	var got map[string]any
	s.MustJSON(t, 200, &got, "GET", "/api/v1/t/acme/data/owner/1", acme.Read, "")
	if got["email"] != "b@x.io" {
		t.Fatalf("after one good and one stale patch: %v", got)
	}
}

func TestOpenAPIFollowsTheSchemaVersion(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme.Admin, ownerModel)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "document", Method: "GET", Path: "/api/v1/t/acme/openapi.json", Key: acme.Read, Status: 200,
			Contains: []string{`"openapi":"3.1`, `"/data/owner"`}, Excludes: []string{`"/data/event"`}},
	})
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, eventModel)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "after a change", Method: "GET", Path: "/api/v1/t/acme/openapi.json", Key: acme.Read, Status: 200,
			Contains: []string{`"/data/owner"`, `"/data/event"`, `"country__in"`}},
		{Name: "other tenant's key", Method: "GET", Path: "/api/v1/t/acme/openapi.json", Key: "fk_0000000000000000_nope", Status: 401},
	})
}

// Record answers are written by records' AppendJSON, not c.JSON: the same JSON and headers.
func TestRecordAnswersAreJSONAsEncodingJSONWritesIt(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	w, r := acme.Write, acme.Read
	for _, req := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"POST", "/api/v1/t/acme/data/event", `{"country":"PL","source":"<a&b>\u2028"}`, 201, `"source":"\u003ca\u0026b\u003e\u2028"`},
		{"POST", "/api/v1/t/acme/data/event", `[{"country":"DE","value":2},{"country":"US"}]`, 201, `{"data":[{"id":2,`},
		{"GET", "/api/v1/t/acme/data/event/1", "", 200, `{"id":1,"created_at":"20`},
		{"GET", "/api/v1/t/acme/data/event?sort=-id&limit=2", "", 200, `],"next_cursor":"`},
		{"PATCH", "/api/v1/t/acme/data/event/2", `{"value":3}`, 200, `"value":3,"owner":null}`},
	} {
		rec := s.Do(req.method, req.path, map[bool]string{true: r, false: w}[req.method == "GET"], req.body)
		body := rec.Body.String()
		if rec.Code != req.status || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" ||
			!json.Valid(rec.Body.Bytes()) || !strings.Contains(body, req.want) {
			t.Errorf("%s %s: %d %q, want %d and %s:\n%s", req.method, req.path, rec.Code,
				rec.Header().Get("Content-Type"), req.status, req.want, body)
		}
	}
}

// TestLargeAnswersGoWithTheirLength: a page well over net/http's 2 KB buffer is sent
// with Content-Length (gin's c.Data sets it; writeJSON relies on that), not in chunks.
func TestLargeAnswersGoWithTheirLength(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	var bulk strings.Builder
	bulk.WriteByte('[')
	for i := range 60 {
		if i > 0 {
			bulk.WriteByte(',')
		}
		bulk.WriteString(`{"country":"PL","source":"web","value":` + strconv.Itoa(i) + `}`)
	}
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, bulk.String()+"]")
	srv := httptest.NewServer(s.App.Handler)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/t/acme/data/event?limit=50", nil)
	req.Header.Set("Authorization", "Bearer "+acme.Read)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 || len(body) < 4<<10 {
		t.Fatalf("GET: %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}
	if resp.ContentLength != int64(len(body)) || len(resp.TransferEncoding) != 0 {
		t.Fatalf("Content-Length %d for %d bytes, Transfer-Encoding %v", resp.ContentLength, len(body), resp.TransferEncoding)
	}
}

// TestConcurrentCreatesEachGetTheirOwnAnswer: creates that arrive together are committed
// in groups; each still gets its own record, or its own conflict when its value was
// taken, and nothing is written twice or lost.
func TestConcurrentCreatesEachGetTheirOwnAnswer(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	const distinct, repeats = 48, 16
	type answer struct {
		email string
		code  int
		body  string
	}
	answers := make(chan answer, distinct+repeats)
	for i := range distinct + repeats {
		go func() {
			email := "u" + strconv.Itoa(i%distinct) + "@example.com"
			rec := s.Do("POST", "/api/v1/t/acme/data/owner", acme.Write, `{"email":"`+email+`"}`)
			answers <- answer{email, rec.Code, rec.Body.String()}
		}()
	}
	created, ids := map[string]bool{}, map[float64]bool{}
	conflicts := 0
	for range distinct + repeats {
		a := <-answers
		switch a.code {
		case http.StatusCreated:
			var rec struct {
				ID    float64 `json:"id"`
				Email string  `json:"email"`
			}
			if err := json.Unmarshal([]byte(a.body), &rec); err != nil || rec.Email != a.email || created[a.email] || ids[rec.ID] {
				t.Errorf("create %s: %s (err %v; created before: %v)", a.email, a.body, err, created[a.email])
			}
			created[a.email], ids[rec.ID] = true, true
		case http.StatusConflict:
			if !strings.Contains(a.body, `"path":"email","code":"duplicate"`) {
				t.Errorf("create %s: %s", a.email, a.body)
			}
			conflicts++
		default:
			t.Errorf("create %s: %d %s", a.email, a.code, a.body)
		}
	}
	if len(created) != distinct || conflicts != repeats {
		t.Errorf("%d created and %d conflicts, want %d and %d", len(created), conflicts, distinct, repeats)
	}
	var page struct{ Data []map[string]any }
	s.MustJSON(t, 200, &page, "GET", "/api/v1/t/acme/data/owner?limit=1000", acme.Read, "")
	if len(page.Data) != distinct {
		t.Errorf("%d owners stored, want %d", len(page.Data), distinct)
	}
}

// TestCreatesThatRaceASchemaChangeAreServed: creates in flight while a field their
// model's cached statements name is deleted are served with the new model (grouped or
// alone, a statement the database refuses as stale runs again after a reload), and none
// is answered 500.
func TestCreatesThatRaceASchemaChangeAreServed(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	const writers, each = 16, 40
	codes := make(chan string, writers*each)
	for range writers {
		go func() {
			for range each {
				rec := s.Do("POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL","value":1}`)
				if rec.Code != http.StatusCreated {
					codes <- strconv.Itoa(rec.Code) + " " + rec.Body.String()
					continue
				}
				codes <- ""
			}
		}()
	}
	s.MustJSON(t, 200, nil, "DELETE", "/api/v1/t/acme/models/event/fields/source?allow_data_loss=true", acme.Admin, "")
	created := 0
	for range writers * each {
		if c := <-codes; c != "" {
			t.Errorf("a create during the schema change: %s", c)
		} else {
			created++
		}
	}
	var page struct{ Data []map[string]any }
	s.MustJSON(t, 200, &page, "GET", "/api/v1/t/acme/data/event?limit=1000", acme.Read, "")
	if len(page.Data) != created {
		t.Errorf("%d events stored, %d created", len(page.Data), created)
	}
	for _, rec := range page.Data {
		if _, ok := rec["source"]; ok {
			t.Fatalf("a record still has the deleted field: %v", rec)
		}
	}
}

func TestRecordsRefuseANameTwiceInExpandAndFields(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/owner", acme.Write, `{"email":"a@x.io"}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL","owner":1}`)
	dup := func(param string) []string { return []string{`"path":"` + param + `","code":"duplicate"`} }
	r := acme.Read
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "list expand twice", Method: "GET", Path: "/api/v1/t/acme/data/event?expand=owner,owner", Key: r, Status: 400, Contains: dup("expand")},
		{Name: "list expand twice, an empty item between", Method: "GET", Path: "/api/v1/t/acme/data/event?expand=owner,,owner", Key: r, Status: 400, Contains: dup("expand")},
		{Name: "list expand repeated", Method: "GET", Path: "/api/v1/t/acme/data/event?expand=owner&expand=owner", Key: r, Status: 400, Contains: dup("expand")},
		{Name: "get expand twice", Method: "GET", Path: "/api/v1/t/acme/data/event/1?expand=owner,owner", Key: r, Status: 400, Contains: dup("expand")},
		{Name: "get expand repeated", Method: "GET", Path: "/api/v1/t/acme/data/event/1?expand=owner&expand=owner", Key: r, Status: 400, Contains: dup("expand")},
		{Name: "fields twice", Method: "GET", Path: "/api/v1/t/acme/data/event?fields=id,id", Key: r, Status: 400, Contains: dup("fields")},
		{Name: "expand once", Method: "GET", Path: "/api/v1/t/acme/data/event?expand=owner&fields=id,owner", Key: r, Status: 200,
			Contains: []string{`"data":[{"id":1,"owner":{"id":1,`}},
	})
}
