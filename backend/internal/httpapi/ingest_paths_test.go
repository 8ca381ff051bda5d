package httpapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
)

// ndjsonEvents is n event rows as NDJSON; bad, when it answers a line, replaces row i.
func ndjsonEvents(n int, bad func(i int) string) string {
	var b strings.Builder
	for i := range n {
		if s := bad(i); s != "" {
			b.WriteString(s + "\n")
			continue
		}
		fmt.Fprintf(&b, `{"n":%d}`+"\n", i+1)
	}
	return b.String()
}

// TestStreamedCreateWritesWebhookEvents: with a webhook listening, a streamed create is
// inserted in chunks and writes one record.created event per record, with the record as
// stored; a refused one writes none.
func TestStreamedCreateWritesWebhookEvents(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, allowPrivate)
	acme := s.Tenant(t, "acme")
	rc := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer rc.Close()
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin,
		`{"name":"event","fields":[{"name":"n","type":"integer","unique":true},{"name":"at","type":"datetime","options":{"auto_now_add":true}}]}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/webhooks", acme.Admin, `{"url":"`+rc.URL+`","events":["record.created"]}`)
	none := func(int) string { return "" }
	if res := postRows(s, acme.Write, "event", ndjson, strings.NewReader(ndjsonEvents(2500, none))); res.Code != 201 || res.Body.String() != `{"created":2500}` {
		t.Fatalf("%d %s", res.Code, res.Body)
	}
	bad := ndjsonEvents(2100, func(i int) string {
		if i == 2050 {
			return `{ "n":"x"}`
		}
		return ""
	})
	if res := postRows(s, acme.Write, "event", ndjson, strings.NewReader(strings.ReplaceAll(bad, `{"n":`, `{"n":-`))); res.Code != 400 ||
		!strings.Contains(res.Body.String(), `"path":"[2051].n"`) {
		t.Fatalf("refused: %d %s", res.Code, res.Body)
	}
	if res := postRows(s, acme.Write, "event", csvBody, strings.NewReader("n\n9001\n9002\n1\n")); res.Code != 409 {
		t.Fatalf("duplicate: %d %s", res.Code, res.Body)
	}
	var events, matching, stamped int
	err := s.App.DB.QueryRowContext(context.Background(), `SELECT count(*),
		count(*) FILTER (WHERE (payload->'record'->>'id')::int = (payload->'record'->>'n')::int),
		count(*) FILTER (WHERE payload->'record'->>'at' IS NOT NULL)
		FROM forma.webhook_events WHERE type = 'record.created'`).Scan(&events, &matching, &stamped)
	if err != nil || events != 2500 || matching != 2500 || stamped != 2500 {
		t.Fatalf("events %d, of them %d with id = n and %d with at (%v)", events, matching, stamped, err)
	}
}

// TestStreamedCreateByACustomRole: a custom role's rows are held to its create rule, in
// chunks: its presets set, a field it may not write refused by row, a row outside its
// filter refused with its number, nothing written then.
func TestStreamedCreateByACustomRole(t *testing.T) {
	t.Parallel()
	s, acme, author, _, authorID := rolesServer(t)
	good := func(i int) string { return fmt.Sprintf(`{"title":"t%d","status":"draft"}`, i) }
	var b strings.Builder
	for i := range 1500 {
		b.WriteString(good(i) + "\n")
	}
	if res := postRows(s, author, "post", ndjson, strings.NewReader(b.String())); res.Code != 201 || res.Body.String() != `{"created":1500}` {
		t.Fatalf("%d %s", res.Code, res.Body)
	}
	var owners, n int
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FILTER (WHERE owner = ?), count(*) FROM t1_acme.post`,
		"key:"+itoa(authorID)).Scan(&owners, &n); err != nil || owners != 1500 || n != 1500 {
		t.Fatalf("%d of %d rows with the preset owner (%v)", owners, n, err)
	}
	for _, sc := range []struct {
		body     string
		status   int
		contains string
	}{
		{"title,status\n" + strings.Repeat("a,draft\n", 1200) + "b,archived\n" + "c,draft\n", 403, `"path":"[1201].status"`},
		{"title,status,body\n" + strings.Repeat("a,draft,\n", 3), 400, `"path":"[1].body","code":"forbidden_field"`},
	} {
		res := postRows(s, author, "post", csvBody, strings.NewReader(sc.body))
		if res.Code != sc.status || !strings.Contains(res.Body.String(), sc.contains) {
			t.Errorf("%d %s", res.Code, res.Body)
		}
	}
	if res := postRows(s, acme.Read, "post", csvBody, strings.NewReader("title\nx\n")); res.Code != 403 {
		t.Errorf("read key: %d", res.Code)
	}
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM t1_acme.post`).Scan(&n); err != nil || n != 1500 {
		t.Fatalf("%d rows after the refusals (%v)", n, err)
	}
}

// TestStreamedCreateStatementTimeoutPerChunk: the tenant's statement timeout bounds each
// chunk of an import, not the whole import and not the client's pace; a chunk past it
// is a 504 timeout and nothing is written.
func TestStreamedCreateStatementTimeoutPerChunk(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"statement_timeout_ms":400}}`)
	pr, pw := io.Pipe()
	go func() {
		for range 4 {
			_, _ = io.WriteString(pw, strings.Repeat(`{"country":"PL","value":1}`+"\n", 300))
			time.Sleep(300 * time.Millisecond)
		}
		_ = pw.Close()
	}()
	start := time.Now()
	if res := postRows(s, acme.Write, "event", ndjson, pr); res.Code != 201 || res.Body.String() != `{"created":1200}` {
		t.Fatalf("a slow client: %d %s", res.Code, res.Body)
	}
	if took := time.Since(start); took < time.Second {
		t.Fatalf("the body took %v, less than the timeout's test needs", took)
	}
	ctx := context.Background()
	if _, err := s.App.DB.ExecContext(ctx, `CREATE FUNCTION public.slow_event() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN IF NEW.value = 999 THEN PERFORM pg_sleep(5); END IF; RETURN NEW; END $$;
		CREATE TRIGGER slow BEFORE INSERT ON t1_acme.event FOR EACH ROW EXECUTE FUNCTION public.slow_event()`); err != nil {
		t.Fatal(err)
	}
	for _, ctype := range []string{ndjson, csvBody} {
		body := strings.Repeat(`{"country":"PL","value":1}`+"\n", 10) + `{"country":"PL","value":999}` + "\n"
		if ctype == csvBody {
			body = "country,value\n" + strings.Repeat("PL,1\n", 10) + "PL,999\n"
		}
		start = time.Now()
		res := postRows(s, acme.Write, "event", ctype, strings.NewReader(body))
		if took := time.Since(start); res.Code != 504 || !strings.Contains(res.Body.String(), `"code":"timeout"`) || took > 3*time.Second {
			t.Fatalf("%s, a slow row: %d after %v: %s", ctype, res.Code, took, res.Body)
		}
	}
	if n := countRows(t, s, "event"); n != 1200 {
		t.Fatalf("%d rows", n)
	}
}
