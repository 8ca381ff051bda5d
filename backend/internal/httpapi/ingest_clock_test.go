package httpapi_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
)

// TestStreamedCreateStalled: a client that stops sending its body while the rows are
// being written is cut after FORMA_IMPORT_STALL, with a 408 stalled and nothing written:
// it does not keep a connection, a transaction and its lock on the model.
func TestStreamedCreateStalled(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, func(c *config.Config) { c.Import.Stall = 300 * time.Millisecond })
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme.Admin, ownerModel)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, eventModel)
	srv := httptest.NewServer(s.App.Handler) // a real connection: its read deadline ends the wait
	defer srv.Close()
	for _, ctype := range []string{csvBody, ndjson} {
		pr, pw := io.Pipe()
		go func() {
			if ctype == csvBody {
				_, _ = io.WriteString(pw, "country\n")
			}
			for range 3 {
				if ctype == csvBody {
					_, _ = io.WriteString(pw, "PL\n")
				} else {
					_, _ = io.WriteString(pw, `{"country":"PL"}`+"\n")
				}
			}
			// then nothing, until the test ends
		}()
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/t/acme/data/event", pr)
		req.Header.Set("Authorization", "Bearer "+acme.Write)
		req.Header.Set("Content-Type", ctype)
		start := time.Now()
		res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatalf("%s: %v", ctype, err)
		}
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		_ = pw.Close()
		if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), `"code":"stalled"`) ||
			!strings.Contains(string(body), "FORMA_IMPORT_STALL") || time.Since(start) > 5*time.Second {
			t.Fatalf("%s: %d %s after %s", ctype, res.StatusCode, body, time.Since(start))
		}
	}
	if n := countRows(t, s, "event"); n != 0 {
		t.Fatalf("%d rows written", n)
	}
	// The connection is given back: a schema change of the model goes through at once.
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, strings.Replace(eventModel, `"options":{"max_length":10}`, `"options":{"max_length":20}`, 1))
}

// slowRows is an NDJSON body that sends a row every gap, n rows in all.
type slowRows struct {
	gap time.Duration
	n   int
}

func (r *slowRows) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	time.Sleep(r.gap)
	r.n--
	return copy(p, `{"country":"PL"}`+"\n"), nil
}

// TestStreamedCreateMaxDuration: an import whose body keeps coming, but too slowly to
// end within FORMA_IMPORT_MAX_DURATION, is cut there: 504 timeout, nothing written.
func TestStreamedCreateMaxDuration(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, func(c *config.Config) { c.Import.MaxDuration = 400 * time.Millisecond })
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme.Admin, ownerModel)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, eventModel)
	start := time.Now()
	res := postRows(s, acme.Write, "event", ndjson, &slowRows{gap: 20 * time.Millisecond, n: 500})
	if res.Code != http.StatusGatewayTimeout || !strings.Contains(res.Body.String(), "FORMA_IMPORT_MAX_DURATION") || time.Since(start) > 5*time.Second {
		t.Fatalf("%d %s after %s", res.Code, res.Body, time.Since(start))
	}
	if n := countRows(t, s, "event"); n != 0 {
		t.Fatalf("%d rows written", n)
	}
	srv := httptest.NewServer(s.App.Handler) // a real connection: ending the body's read cancels the request
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/t/acme/data/event", &slowRows{gap: 20 * time.Millisecond, n: 500})
	req.Header.Set("Authorization", "Bearer "+acme.Write)
	req.Header.Set("Content-Type", ndjson)
	r, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if r.StatusCode != http.StatusGatewayTimeout || !strings.Contains(string(b), "FORMA_IMPORT_MAX_DURATION") {
		t.Fatalf("over a connection: %d %s", r.StatusCode, b)
	}
	if res := postRows(s, acme.Write, "event", ndjson, &slowRows{gap: 20 * time.Millisecond, n: 5}); res.Code != 201 {
		t.Fatalf("within the bound: %d %s", res.Code, res.Body)
	}
}

// TestStreamedCreateWebhookBeganListening: an import copied because no webhook listened
// is rolled back, 409 conflict, when one began listening before its commit: its records
// would have no record.created events.
func TestStreamedCreateWebhookBeganListening(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, allowPrivate)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/owner", acme.Admin, ownerModel)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, eventModel)
	rc := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer rc.Close()
	pr, pw := io.Pipe()
	answered := make(chan *httptest.ResponseRecorder, 1)
	go func() { answered <- postRows(s, acme.Write, "event", ndjson, pr) }()
	_, _ = io.WriteString(pw, strings.Repeat(`{"country":"PL"}`+"\n", 10))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) { // the COPY is under way
		var n int
		if err := s.App.DB.QueryRowContext(t.Context(), `SELECT count(*) FROM pg_stat_activity WHERE query ILIKE 'copy %' AND datname = current_database()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no COPY under way")
		}
	}
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/webhooks", acme.Admin, `{"url":"`+rc.URL+`","events":["record.created"]}`)
	_, _ = io.WriteString(pw, `{"country":"DE"}`+"\n")
	_ = pw.Close()
	res := <-answered
	if res.Code != http.StatusConflict || !strings.Contains(res.Body.String(), "webhook began listening") {
		t.Fatalf("%d %s", res.Code, res.Body)
	}
	if n := countRows(t, s, "event"); n != 0 {
		t.Fatalf("%d rows written", n)
	}
	if res := postRows(s, acme.Write, "event", ndjson, strings.NewReader(`{"country":"PL"}`+"\n")); res.Code != 201 {
		t.Fatalf("again: %d %s", res.Code, res.Body)
	}
}
