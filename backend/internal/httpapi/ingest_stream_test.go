package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
	"forma.dev/shared/fieldtype"
)

const (
	ndjson  = "application/x-ndjson"
	csvBody = "text/csv"
)

// postRows sends a streamed create of body as ctype.
func postRows(s *apitest.Server, key, model, ctype string, body io.Reader) *httptest.ResponseRecorder {
	req := s.Request("POST", "/api/v1/t/acme/data/"+model, key, "")
	req.Body = io.NopCloser(body)
	req.ContentLength = -1
	req.Header.Set("Content-Type", ctype)
	return s.Serve(req)
}

// countRows counts the rows of a table of acme.
func countRows(t *testing.T, s *apitest.Server, table string) int {
	t.Helper()
	var n int
	var schema string
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT schema_name FROM forma.tenants WHERE slug = 'acme'`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM "`+schema+`"."`+table+`"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// typeSamples are, for every field type, a value as NDJSON sends it, as a CSV cell,
// and as the record is answered. A type added to the registry must be added here.
var typeSamples = map[string]struct{ json, cell, answer string }{
	"boolean":  {`true`, `true`, `true`},
	"date":     {`"2026-01-31"`, `2026-01-31`, `"2026-01-31"`},
	"datetime": {`"2026-01-31T10:30:00+02:00"`, `2026-01-31T10:30:00+02:00`, `"2026-01-31T08:30:00Z"`},
	"decimal":  {`12.5`, `12.5`, `"12.50"`},
	"email":    {`"Ann@Example.COM"`, `Ann@Example.COM`, `"Ann@example.com"`},
	"float":    {`1.25`, `1.25`, `1.25`},
	"integer":  {`-42`, `-42`, `-42`},
	"json":     {`{"a":[1,"x"]}`, `"{""a"":[1,""x""]}"`, `{"a":[1,"x"]}`},
	"relation": {`1`, `1`, `1`},
	"text":     {`"a, \"b\""`, `"a, ""b"""`, `"a, \"b\""`},
	"time":     {`"13:45:00"`, `13:45:00`, `"13:45:00"`},
	"url":      {`"https://example.com/x"`, `https://example.com/x`, `"https://example.com/x"`},
	"uuid":     {`"0b7e1c52-3d6f-4b43-9a51-2c1f0e9d8a77"`, `0B7E1C52-3D6F-4B43-9A51-2C1F0E9D8A77`, `"0b7e1c52-3d6f-4b43-9a51-2c1f0e9d8a77"`},
}

// TestStreamedCreatesTakeEveryType: an NDJSON and a CSV body of a model with a field of
// every registered type are written, each value read as its type reads text, and
// answered 201 {"created":N}; an empty CSV cell is null, a quoted empty one "" for text.
func TestStreamedCreatesTakeEveryType(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/other", acme.Admin, `{"name":"other","fields":[{"name":"n","type":"integer"}]}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/other", acme.Write, `{"n":1}`)
	var fields, header, jsonRow, cells []string
	for _, ft := range fieldtype.All() {
		name := ft.Name()
		sample, ok := typeSamples[name]
		if !ok {
			t.Fatalf("no sample of type %s", name)
		}
		f := `{"name":"f_` + name + `","type":"` + name + `"`
		switch name {
		case "relation":
			f += `,"related_model":"other","options":{"on_delete":"set_null"}`
		case "decimal":
			f += `,"options":{"precision":10,"scale":2}`
		}
		fields = append(fields, f+"}")
		header = append(header, "f_"+name)
		jsonRow = append(jsonRow, `"f_`+name+`":`+sample.json)
		cells = append(cells, sample.cell)
	}
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/every", acme.Admin, `{"name":"every","fields":[`+strings.Join(fields, ",")+`]}`)
	nd := "{" + strings.Join(jsonRow, ",") + "}\n\n" + "{}\r\n" + "{" + strings.Join(jsonRow, ",") + "}"
	if res := postRows(s, acme.Write, "every", ndjson, strings.NewReader(nd)); res.Code != 201 || res.Body.String() != `{"created":3}` ||
		res.Header().Get("Forma-Schema-Version") == "" {
		t.Fatalf("ndjson: %d %s", res.Code, res.Body)
	}
	empty := make([]string, len(cells))
	empty[0] = `""` // boolean: null, as any empty cell of a type that does not keep its text
	for i, h := range header {
		if h == "f_text" {
			empty[i] = `""`
		}
	}
	body := "\ufeff" + strings.Join(header, ",") + "\r\n" + strings.Join(cells, ",") + "\r\n" + strings.Join(empty, ",") + "\n"
	if res := postRows(s, acme.Write, "every", "Text/CSV; charset=utf-8", strings.NewReader(body)); res.Code != 201 || res.Body.String() != `{"created":2}` {
		t.Fatalf("csv: %d %s", res.Code, res.Body)
	}
	var page struct{ Data []map[string]json.RawMessage }
	s.MustJSON(t, 200, &page, "GET", "/api/v1/t/acme/data/every?sort=id", acme.Read, "")
	if len(page.Data) != 5 {
		t.Fatalf("%d records", len(page.Data))
	}
	for _, i := range []int{0, 2, 3} {
		for name, sample := range typeSamples {
			if got := string(page.Data[i]["f_"+name]); got != sample.answer {
				t.Errorf("record %d: %s is %s, want %s", i+1, name, got, sample.answer)
			}
		}
	}
	for name := range typeSamples {
		want := "null"
		if name == "text" {
			want = `""`
		}
		if got := string(page.Data[4]["f_"+name]); got != want {
			t.Errorf("empty cells: %s is %s, want %s", name, got, want)
		}
		if got := string(page.Data[1]["f_"+name]); got != "null" {
			t.Errorf("{}: %s is %s", name, got)
		}
	}
}

// TestStreamedCreatesRefuseAllOrNothing: bad rows are named by their line (NDJSON) or
// row (CSV), every one up to 100 problems, and nothing is written; a bad header, a
// malformed CSV and a read key are refused before any row.
func TestStreamedCreatesRefuseAllOrNothing(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	w := acme.Write
	scenarios := []struct {
		name, ctype, body string
		status            int
		contains          []string
	}{
		{"ndjson lines", ndjson, "{\"country\":\"PL\",\"value\":1}\n{\"country\":\"PL\",\"value\":-1}\n\n{\"country\":\"PL\",\"value\":2,}\n[1]\n{\"country\":\"XX\",\"country\":\"PL\"}\n{\"nope\":1,\"country\":\"DE\"}",
			400, []string{`"detail":"5 of the 6 rows were refused; nothing was written"`, `"path":"[2].value","code":"min"`, `"path":"[4]","code":"invalid_format"`,
				`"path":"[5]","code":"invalid_format"`, `"path":"[6].country","code":"duplicate"`, `"path":"[7].nope","code":"unknown_field"`}},
		{"csv rows", csvBody, "country,value,owner\nPL,1,\nXX,x,\n\"DE\",1\nPL,,99\n", 400,
			[]string{`"path":"[2].country","code":"choice"`, `"path":"[2].value","code":"invalid_type"`, `"path":"[3]","code":"invalid_value"`, "the row has 2 cells, the header 3"}},
		{"unknown column", csvBody, "country,nope,id,country\nPL,1,2,PL\n", 400,
			[]string{`"path":"header.nope","code":"unknown_field"`, `"path":"header.id","code":"read_only"`, `"path":"header.country","code":"duplicate"`}},
		{"auto field", csvBody, "timestamp\n2026-01-01T00:00:00Z\n", 400, []string{`"path":"header.timestamp","code":"read_only"`}},
		{"empty csv", csvBody, "", 400, []string{"first row must name the fields"}},
		{"malformed csv", csvBody, "country,source\nPL,a\nPL,\"b\"c\nPL,d\n", 400, []string{"malformed CSV at line 3"}},
		{"unclosed quote", csvBody, "country,source\nPL,\"b\n\nPL,d\n", 400, []string{"malformed CSV at line 2", "not closed"}},
		{"missing relation", ndjson, "{\"country\":\"PL\"}\n{\"country\":\"PL\",\"owner\":99}\n", 409, []string{`"path":"owner","code":"not_found"`}},
		{"no model", ndjson, "{}\n", 404, nil},
	}
	for _, sc := range scenarios {
		res := postRows(s, w, "event", sc.ctype, strings.NewReader(sc.body))
		if sc.name == "no model" {
			res = postRows(s, w, "nope", sc.ctype, strings.NewReader(sc.body))
		}
		if res.Code != sc.status || res.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s", sc.name, res.Code, res.Body)
		}
		for _, c := range sc.contains {
			if !strings.Contains(res.Body.String(), c) {
				t.Errorf("%s: no %s in %s", sc.name, c, res.Body)
			}
		}
	}
	if res := postRows(s, acme.Read, "event", ndjson, strings.NewReader("{}\n")); res.Code != 403 {
		t.Errorf("read key: %d", res.Code)
	}
	var b strings.Builder
	for i := range 250 {
		if i%2 == 0 {
			b.WriteString(`{"country":"PL","value":-1}` + "\n")
		} else {
			b.WriteString(`{"country":"PL","value":1}` + "\n")
		}
	}
	res := postRows(s, w, "event", ndjson, strings.NewReader(b.String()))
	var doc struct {
		Detail  string
		Errors  []struct{ Path string }
		Omitted int `json:"errors_omitted"`
	}
	if err := json.Unmarshal(res.Body.Bytes(), &doc); err != nil || res.Code != 400 || len(doc.Errors) != 100 || doc.Omitted != 25 ||
		doc.Errors[99].Path != "[199].value" || !strings.HasPrefix(doc.Detail, "125 of the 250 rows") {
		t.Fatalf("capped: %d %s", res.Code, res.Body)
	}
	if n := countRows(t, s, "event"); n != 0 {
		t.Fatalf("%d rows written", n)
	}
	body := "country,value\n" + strings.Repeat("PL,1\n", 2500) + "PL,-5\n" + strings.Repeat("DE,2\n", 10)
	if res := postRows(s, w, "event", csvBody, strings.NewReader(body)); res.Code != 400 || !strings.Contains(res.Body.String(), `"path":"[2501].value"`) {
		t.Fatalf("late bad row: %d %s", res.Code, res.Body)
	}
	if n := countRows(t, s, "event"); n != 0 {
		t.Fatalf("%d rows written after a late bad row", n)
	}
}

// TestStreamedCreateBounds: FORMA_IMPORT_MAX_ROWS, the import body limit (not the JSON
// one) and the tenant's rows_per_model.
func TestStreamedCreateBounds(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, func(c *config.Config) { c.Import.MaxRows = 100; c.Import.MaxBytes = 64 << 10 })
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme.Admin, ownerModel)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, eventModel)
	rows := func(n int) io.Reader { return strings.NewReader(strings.Repeat(`{"country":"PL"}`+"\n", n)) }
	if res := postRows(s, acme.Write, "event", ndjson, rows(100)); res.Code != 201 {
		t.Fatalf("100 rows: %d %s", res.Code, res.Body)
	}
	if res := postRows(s, acme.Write, "event", ndjson, rows(101)); res.Code != 413 || !strings.Contains(res.Body.String(), "FORMA_IMPORT_MAX_ROWS") {
		t.Fatalf("101 rows: %d %s", res.Code, res.Body)
	}
	big := "source,country\n" + strings.Repeat("aaaaaaaaaa,PL\n", 5000) // 70 kB, 5000 rows
	s2 := apitest.Start(t, func(c *config.Config) { c.Import.MaxBytes = 64 << 10 })
	acme2 := s2.Tenant(t, "acme")
	s2.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme2.Admin, ownerModel)
	s2.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme2.Admin, eventModel)
	if res := postRows(s2, acme2.Write, "event", csvBody, strings.NewReader(big)); res.Code != 413 || !strings.Contains(res.Body.String(), "FORMA_IMPORT_MAX_BYTES") {
		t.Fatalf("70 kB: %d %s", res.Code, res.Body)
	}
	if res := postRows(s2, acme2.Write, "event", csvBody, strings.NewReader("source,country\n"+strings.Repeat("aaaaaaaaaa,PL\n", 4000))); res.Code != 201 {
		t.Fatalf("56 kB: %d %s", res.Code, res.Body)
	}
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"rows_per_model":150}}`)
	if res := postRows(s, acme.Write, "event", ndjson, rows(60)); res.Code != 409 || !strings.Contains(res.Body.String(), "rows_per_model") {
		t.Fatalf("over the quota: %d %s", res.Code, res.Body)
	}
	if res := postRows(s, acme.Write, "event", ndjson, rows(50)); res.Code != 201 {
		t.Fatalf("to the quota: %d %s", res.Code, res.Body)
	}
	if res := postRows(s, acme.Write, "event", ndjson, rows(1)); res.Code != 409 {
		t.Fatalf("full: %d %s", res.Code, res.Body)
	}
	if n := countRows(t, s, "event"); n != 150 {
		t.Fatalf("%d rows", n)
	}
}
