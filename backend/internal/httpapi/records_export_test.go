package httpapi_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
)

const itemModel = `{"name":"item","fields":[
 {"name":"name","type":"text"},{"name":"n","type":"integer"},{"name":"price","type":"decimal"},
 {"name":"ratio","type":"float"},{"name":"ok","type":"boolean"},{"name":"day","type":"date"},
 {"name":"at","type":"datetime"},{"name":"meta","type":"json"},{"name":"team","type":"text"}]}`

const itemRows = `[
 {"name":"plain","n":3,"price":"1.50","ratio":0.25,"ok":true,"day":"2025-03-01","at":"2025-03-01T12:30:00.5Z","meta":{"a":[1,"x,y"]},"team":"red"},
 {"name":"comma, \"quote\"\nand line","n":-1,"price":"0.00","ratio":1e-9,"ok":false,"day":"1999-12-31","at":"2000-01-01T00:00:00Z","meta":"s","team":"blue"},
 {"name":"","n":null,"team":"red"},
 {"name":" padded ","n":7,"meta":null,"team":"red"}]`

// exportServer is acme with four items whose values need CSV's quoting, and a role that
// lists red items' names and ns.
func exportServer(t *testing.T) (*apitest.Server, apitest.Tenant, string) {
	t.Helper()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/item", acme.Admin, itemModel)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/item", acme.Write, itemRows)
	s.MustJSON(t, 201, nil, "PUT", "/api/v1/t/acme/roles/redlist", acme.Admin,
		`{"permissions":{"item":{"list":{"filter":{"team":"red"},"fields":["id","name","n"]}}}}`)
	key, _ := roleKey(t, s, acme.Admin, "redlist")
	return s, acme, key
}

// listLines is the records of a list page, each as the list API wrote it, one a line.
func listLines(t *testing.T, s *apitest.Server, path, key string) string {
	t.Helper()
	var page struct{ Data []json.RawMessage }
	s.MustJSON(t, 200, &page, "GET", path, key, "")
	var b strings.Builder
	for _, r := range page.Data {
		b.Write(r)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestExportNDJSONIsTheListLineByLine(t *testing.T) {
	t.Parallel()
	s, acme, role := exportServer(t)
	for _, c := range []struct{ query, key string }{
		{"", acme.Read},
		{"?sort=-n,id", acme.Read},
		{"?team=red&sort=name&fields=name,meta,at", acme.Read},
		{"?n__gte=0&sort=-id", acme.Read},
		{"?sort=-n", role}, // the role's filter and fields
		{"?fields=name&n__gt=0", role},
	} {
		rec := s.Do("GET", "/api/v1/t/acme/data/item/export"+c.query, c.key, "")
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", c.query, rec.Code, rec.Body)
		}
		if got := rec.Header().Get("Content-Type"); got != "application/x-ndjson" {
			t.Errorf("%s: Content-Type %q", c.query, got)
		}
		if got := rec.Header().Get("Content-Disposition"); got != `attachment; filename="item.ndjson"` {
			t.Errorf("%s: Content-Disposition %q", c.query, got)
		}
		sep := "?"
		if c.query != "" {
			sep = "&"
		}
		if want := listLines(t, s, "/api/v1/t/acme/data/item"+c.query+sep+"limit=1000", c.key); rec.Body.String() != want {
			t.Errorf("%s: export\n%s\nlist\n%s", c.query, rec.Body, want)
		}
	}
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	s, acme, role := exportServer(t)
	get := func(query, key string) (*httptest.ResponseRecorder, [][]string) {
		t.Helper()
		rec := s.Do("GET", "/api/v1/t/acme/data/item/export?format=csv"+query, key, "")
		if rec.Code != 200 {
			t.Fatalf("%s: %d %s", query, rec.Code, rec.Body)
		}
		rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v\n%s", query, err, rec.Body)
		}
		return rec, rows
	}
	rec, rows := get("&sort=id&fields=id,name,n,price,ratio,ok,day,at,meta", acme.Read)
	if ct, cd := rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"); ct != "text/csv; charset=utf-8" || cd != `attachment; filename="item.csv"` {
		t.Errorf("headers %q %q", ct, cd)
	}
	want := [][]string{
		{"id", "name", "n", "price", "ratio", "ok", "day", "at", "meta"},
		{"1", "plain", "3", "1.50", "0.25", "true", "2025-03-01", "2025-03-01T12:30:00.5Z", `{"a":[1,"x,y"]}`},
		{"2", "comma, \"quote\"\nand line", "-1", "0.00", "1e-9", "false", "1999-12-31", "2000-01-01T00:00:00Z", `"s"`},
		{"3", "", "", "", "", "", "", "", ""},
		{"4", " padded ", "7", "", "", "", "", "", ""},
	}
	if !equalRows(rows, want) {
		t.Errorf("csv\n%q\nwant\n%q\nbody\n%s", rows, want, rec.Body)
	}
	// null is an empty field, an empty string a quoted one, as COPY … CSV writes them
	if body := rec.Body.String(); !strings.Contains(body, "\r\n3,\"\",,,,,,,\r\n") {
		t.Errorf("null and empty string:\n%q", body)
	}
	// filters, sort (nulls first descending, as Postgres and the list) and every column
	_, rows = get("&team=red&sort=-n", acme.Read)
	if len(rows) != 4 || len(rows[0]) != 12 || rows[0][0] != "id" || rows[0][11] != "team" || rows[1][0] != "3" || rows[2][0] != "4" || rows[3][0] != "1" {
		t.Errorf("team=red sort=-n: %q", rows)
	}
	// a custom role: its filter (red only) and its fields
	_, rows = get("&sort=id", role)
	want = [][]string{{"id", "name", "n"}, {"1", "plain", "3"}, {"3", "", ""}, {"4", " padded ", "7"}}
	if !equalRows(rows, want) {
		t.Errorf("role: %q", rows)
	}
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") || len(a[i]) != len(b[i]) {
			return false
		}
	}
	return true
}

func TestExportRefusesBeforeStreaming(t *testing.T) {
	t.Parallel()
	s, acme, role := exportServer(t)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "unknown lookup", Method: "GET", Path: "/api/v1/t/acme/data/item/export?n__like=1", Key: acme.Read, Status: 400,
			Contains: []string{`"code":"unknown_lookup"`}},
		{Name: "unknown field", Method: "GET", Path: "/api/v1/t/acme/data/item/export?format=csv&colour=red", Key: acme.Read, Status: 400,
			Contains: []string{`"path":"colour"`}},
		{Name: "bad format", Method: "GET", Path: "/api/v1/t/acme/data/item/export?format=xml", Key: acme.Read, Status: 400,
			Contains: []string{`"path":"format","code":"choice"`}},
		{Name: "no limit", Method: "GET", Path: "/api/v1/t/acme/data/item/export?limit=5", Key: acme.Read, Status: 400,
			Contains: []string{`"path":"limit","code":"not_allowed"`}},
		{Name: "no cursor", Method: "GET", Path: "/api/v1/t/acme/data/item/export?cursor=x", Key: acme.Read, Status: 400,
			Contains: []string{`"path":"cursor","code":"not_allowed"`}},
		{Name: "unknown model", Method: "GET", Path: "/api/v1/t/acme/data/nope/export", Key: acme.Read, Status: 404},
		{Name: "no key", Method: "GET", Path: "/api/v1/t/acme/data/item/export", Status: 401},
		{Name: "role: unreadable filter", Method: "GET", Path: "/api/v1/t/acme/data/item/export?team=blue", Key: role, Status: 400,
			Contains: []string{`"code":"forbidden_field"`}},
		{Name: "role: unreadable sort", Method: "GET", Path: "/api/v1/t/acme/data/item/export?sort=price", Key: role, Status: 400,
			Contains: []string{`"path":"sort","code":"forbidden_field"`}},
		{Name: "role: unreadable fields", Method: "GET", Path: "/api/v1/t/acme/data/item/export?format=csv&fields=name,meta", Key: role, Status: 400,
			Contains: []string{`"path":"fields","code":"forbidden_field"`}},
	})
}

// TestExportLargeStreams exports 50,000 rows of about 300 bytes through a real HTTP
// server and checks that the server's live heap stays far below the answer's size while
// it streams, and that the first chunk arrives while most rows are yet to be written.
func TestExportLargeStreams(t *testing.T) { // not parallel: it measures the heap
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/item", acme.Admin, itemModel)
	const rows = 50_000
	if _, err := s.App.DB.Exec(`INSERT INTO t1_acme.item (name, n, at, meta)
	 SELECT repeat('x', 250) || g, g, now(), '{"k":1}' FROM generate_series(1, ?) g`, rows); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.App.Handler)
	defer srv.Close()
	for _, format := range []string{"ndjson", "csv"} {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/t/acme/data/item/export?sort=-n&format="+format, nil)
		req.Header.Set("Authorization", "Bearer "+acme.Read)
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		base := m.HeapAlloc
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.TransferEncoding == nil {
			t.Fatalf("%s: %d, transfer encoding %v", format, resp.StatusCode, resp.TransferEncoding)
		}
		br := bufio.NewReaderSize(resp.Body, 1<<16)
		first, err := br.ReadString('\n')
		if err != nil || format == "ndjson" && !strings.Contains(first, `"n":50000`) {
			t.Fatalf("%s: first line %q %v", format, first, err)
		}
		var total, lines int64 = int64(len(first)), 1
		var peak uint64
		buf := make([]byte, 1<<16)
		next := int64(1 << 20)
		for {
			n, err := br.Read(buf)
			total += int64(n)
			lines += int64(strings.Count(string(buf[:n]), "\n"))
			if total >= next {
				next += 2 << 20
				runtime.GC()
				runtime.ReadMemStats(&m)
				peak = max(peak, m.HeapAlloc)
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		resp.Body.Close()
		wantLines := int64(rows)
		if format == "csv" {
			wantLines++
		}
		if lines != wantLines {
			t.Errorf("%s: %d lines, want %d", format, lines, wantLines)
		}
		growth := int64(peak) - int64(base)
		t.Logf("%s: %d bytes streamed, live heap grew at most %d bytes", format, total, growth)
		if growth > 8<<20 || total < 16<<20 {
			t.Errorf("%s: live heap grew %d bytes while %d streamed: not constant memory", format, growth, total)
		}
	}
}

// The tenant's statement timeout bounds the wait for an export's first rows (a 504
// problem, as on the list route), not the export as a whole: one that a slow client
// reads for longer than the timeout runs to its end.
func TestExportStatementTimeoutBoundsChunksNotTheExport(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/item", acme.Admin, itemModel)
	const rows = 20_000
	if _, err := s.App.DB.Exec(`INSERT INTO t1_acme.item (name, n) SELECT repeat('x', 250) || g, g FROM generate_series(1, ?) g`, rows); err != nil {
		t.Fatal(err)
	}
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"statement_timeout_ms":300}}`)
	ctx := context.Background()
	tx, err := s.App.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `LOCK TABLE t1_acme.item IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	rec := s.Do("GET", "/api/v1/t/acme/data/item/export?format=csv", acme.Read, "")
	_ = tx.Rollback()
	if rec.Code != 504 || !strings.Contains(rec.Body.String(), `"code":"timeout"`) {
		t.Fatalf("with the table held: %d %s", rec.Code, rec.Body)
	}

	srv := httptest.NewServer(s.App.Handler)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/t/acme/data/item/export", nil)
	req.Header.Set("Authorization", "Bearer "+acme.Read)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	buf := make([]byte, 32<<10)
	var lines int
	for {
		n, err := resp.Body.Read(buf)
		lines += strings.Count(string(buf[:n]), "\n")
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d lines: %v", lines, err)
		}
		time.Sleep(3 * time.Millisecond) // a slow client
	}
	if took := time.Since(start); lines != rows || took < 300*time.Millisecond {
		t.Fatalf("%d lines in %v, want %d in more than the 300 ms timeout", lines, took, rows)
	}
}
