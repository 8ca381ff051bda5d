package webhooks_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/webhooks"
)

// Redelivering makes a new delivery of the same event (same webhook-id); listing pages
// newest first with each delivery's attempts; responses are logged truncated to 1 KiB.
func TestDeliveriesListRedeliverAndPrune(t *testing.T) {
	t.Parallel()
	o := fast()
	s := newStack(t, o)
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(strings.Repeat("x", 5000)))
	}))
	t.Cleanup(rc.Close)
	sub := s.subscribe(rc.URL, recordEvents)
	for _, code := range []string{"a", "b", "c"} {
		if _, err := s.create(`{"code":"` + code + `"}`); err != nil {
			t.Fatal(err)
		}
	}
	s.run(o)
	waitFor(t, "3 deliveries", func() bool {
		return s.count(`SELECT count(*) FROM forma.webhook_deliveries WHERE status = 'succeeded'`) == 3
	})
	ctx := context.Background()
	page, next, err := s.hooks.Deliveries(ctx, s.tenant.ID, sub.ID, 0, 2)
	if err != nil || len(page) != 2 || next == 0 || page[0].ID < page[1].ID {
		t.Fatalf("page 1: %d deliveries, next %d, %v", len(page), next, err)
	}
	if a := page[0].Attempts; len(a) != 1 || len(a[0].ResponseBody) != webhooks.MaxLoggedBody || page[0].Payload == nil {
		t.Fatalf("attempts %+v", a)
	}
	rest, next2, err := s.hooks.Deliveries(ctx, s.tenant.ID, sub.ID, next, 2)
	if err != nil || len(rest) != 1 || next2 != 0 {
		t.Fatalf("page 2: %d deliveries, next %d, %v", len(rest), next2, err)
	}
	if _, _, err := s.hooks.Deliveries(ctx, s.tenant.ID+1, sub.ID, 0, 2); err == nil {
		t.Fatal("another tenant lists the deliveries")
	}
	again, err := s.hooks.Redeliver(ctx, s.tenant.ID, sub.ID, rest[0].ID)
	if err != nil || again.MessageID != rest[0].MessageID || again.ID == rest[0].ID {
		t.Fatalf("Redeliver = %+v, %v", again, err)
	}
	waitFor(t, "the redelivery", func() bool {
		return s.count(`SELECT count(*) FROM forma.webhook_deliveries WHERE status = 'succeeded'`) == 4
	})
	if _, err := s.hooks.Redeliver(ctx, s.tenant.ID+1, sub.ID, rest[0].ID); err == nil {
		t.Fatal("another tenant redelivers")
	}
	// Everything is older than a retention of 1µs: all of it goes.
	old := webhooks.New(s.db.DB, webhooks.Options{Retention: time.Microsecond})
	if n, err := old.Prune(ctx); err != nil || n != 3+4 {
		t.Fatalf("Prune = %d, %v; want 7 rows (4 attempts, 3 events)", n, err)
	}
	if n := s.count(`SELECT count(*) FROM forma.webhook_deliveries`); n != 0 {
		t.Fatalf("%d deliveries left", n)
	}
}
