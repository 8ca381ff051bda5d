package changes_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A model nobody follows logs nothing; while it has a stream, every write is logged,
// bulk creates that want only their count (Prefer: return=minimal) among them; the
// gauge counts the stream.
func TestOnlyFollowedModelsAreLogged(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/quiet", s.tenant.Admin, orderModel)
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	st.next(t)
	s.write(t, "POST", "", `{"country":"PL","amount":1}`)
	st.next(t)
	if rec := s.Do("POST", "/api/v1/t/acme/data/quiet", s.tenant.Write, `{"country":"PL","amount":1}`); rec.Code != 201 {
		t.Fatalf("create in quiet: %d %s", rec.Code, rec.Body)
	}
	req := s.Request("POST", "/api/v1/t/acme/data/orders", s.tenant.Write, `[{"country":"PL","amount":2},{"country":"DE","amount":3}]`)
	req.Header.Set("Prefer", "return=minimal")
	if rec := s.Serve(req); rec.Code != 201 || rec.Header().Get("Preference-Applied") != "return=minimal" {
		t.Fatalf("minimal bulk: %d %s", rec.Code, rec.Body)
	}
	for _, want := range []float64{2, 3} {
		if r := st.next(t).record(t); r["amount"] != want {
			t.Fatalf("minimal bulk: got %v, want amount %v", r, want)
		}
	}
	var quiet, followed int
	err := s.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FILTER (WHERE model = 'quiet'),
		count(*) FILTER (WHERE model = 'orders') FROM forma.changes`).Scan(&quiet, &followed)
	if err != nil || quiet != 0 || followed != 3 {
		t.Fatalf("logged %d of quiet, %d of orders (%v); want 0 and 3", quiet, followed, err)
	}
	m := s.Do("GET", "/metrics", "", "")
	if !strings.Contains(m.Body.String(), "forma_change_streams 1\n") {
		t.Fatalf("metrics lack forma_change_streams 1")
	}
	st.close()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(s.Do("GET", "/metrics", "", "").Body.String(), "forma_change_streams 0\n") {
		if time.Now().After(deadline) {
			t.Fatal("the gauge did not fall to 0")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
