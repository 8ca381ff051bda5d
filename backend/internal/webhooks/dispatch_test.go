package webhooks_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/webhooks"
)

// One replica dies while the receiver holds its request: the delivery's lease expires
// and another replica delivers it and everything else. The duplicate carries the same
// webhook-id.
func TestEveryEventArrivesWhenTheDispatchingReplicaDies(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	entered := make(chan string, 1)
	var once sync.Once
	rc := newReceiver(t, func(r *http.Request, n int) int {
		blocked := false
		once.Do(func() { blocked = true })
		if blocked {
			entered <- r.Header.Get("webhook-id")
			<-r.Context().Done() // hold the request until the replica dies
		}
		return http.StatusOK
	})
	s.subscribe(rc.URL, recordEvents)
	for i := range 5 {
		if _, err := s.create(fmt.Sprintf(`{"code":"c%d"}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	one := fast()
	one.Workers = 1
	stopA := s.run(one)
	var held string
	select {
	case held = <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("replica A never delivered")
	}
	stopA() // the replica dies mid-delivery: its request is cut, its claim never finished
	s.run(fast())
	waitFor(t, "5 distinct events delivered", func() bool {
		return len(rc.delivered()) == 5 && s.count(`SELECT count(*) FROM forma.webhook_deliveries WHERE status = 'succeeded'`) == 5
	})
	seen := 0
	for _, h := range rc.got() {
		if h.id == held {
			seen++
		}
	}
	if seen != 2 {
		t.Fatalf("the held event %s was sent %d times, want 2 (cut, then retried)", held, seen)
	}
}

// A receiver that answers 500 (and once 429 with Retry-After) then recovers gets every
// event in the end, and every attempt is logged.
func TestAFailingReceiverGetsEverythingOnceItRecovers(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	rc := newReceiver(t, func(r *http.Request, n int) int {
		switch {
		case n == 0:
			return http.StatusTooManyRequests
		case n < 8:
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	sub := s.subscribe(rc.URL, recordEvents)
	for i := range 4 {
		if _, err := s.create(fmt.Sprintf(`{"code":"c%d"}`, i)); err != nil {
			t.Fatal(err)
		}
	}
	s.run(fast())
	waitFor(t, "4 events delivered", func() bool {
		return len(rc.delivered()) == 4 && s.count(`SELECT count(*) FROM forma.webhook_deliveries WHERE status = 'succeeded'`) == 4
	})
	attempts := s.count(`SELECT count(*) FROM forma.webhook_attempts`)
	if got := len(rc.got()); attempts != got {
		t.Fatalf("%d attempts logged, receiver got %d requests", attempts, got)
	}
	ds, _, err := s.hooks.Deliveries(context.Background(), s.tenant.ID, sub.ID, 0, 10)
	if err != nil || len(ds) != 4 {
		t.Fatalf("Deliveries = %d, %v", len(ds), err)
	}
	for _, d := range ds {
		if d.Status != "succeeded" || len(d.Attempts) != d.AttemptCount || *d.Attempts[0].StatusCode != 200 {
			t.Errorf("delivery %+v", d)
		}
	}
}

// 410 Gone disables the endpoint at once, with a reason; later writes make no deliveries.
func TestGoneDisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	rc := newReceiver(t, func(*http.Request, int) int { return http.StatusGone })
	sub := s.subscribe(rc.URL, recordEvents)
	if _, err := s.create(`{"code":"a"}`); err != nil {
		t.Fatal(err)
	}
	s.run(fast())
	ctx := context.Background()
	waitFor(t, "the endpoint disabled", func() bool {
		got, err := s.hooks.Get(ctx, s.tenant.ID, sub.ID)
		return err == nil && !got.Enabled && strings.Contains(got.Disabled, "410")
	})
	waitFor(t, "this replica's view to drop the endpoint", func() bool {
		return !s.hooks.Wants(ctx, s.tenant.ID, "event", webhooks.RecordCreated)
	})
	if _, err := s.create(`{"code":"b"}`); err != nil {
		t.Fatal(err)
	}
	if n := s.count(`SELECT count(*) FROM forma.webhook_deliveries`); n != 1 {
		t.Fatalf("%d deliveries, want 1", n)
	}
	if _, err := s.hooks.Redeliver(ctx, s.tenant.ID, sub.ID, 1); err == nil {
		t.Fatal("redelivered to a disabled endpoint")
	}
}

// After DisableAfter consecutive failures (failing for FailingFor) the endpoint is
// disabled and says why; enabling it again clears the streak.
func TestRepeatedFailuresDisableTheEndpoint(t *testing.T) {
	t.Parallel()
	o := fast()
	o.DisableAfter, o.FailingFor = 3, time.Millisecond
	s := newStack(t, o)
	rc := newReceiver(t, func(*http.Request, int) int { return http.StatusBadGateway })
	sub := s.subscribe(rc.URL, recordEvents)
	if _, err := s.create(`{"code":"a"}`); err != nil {
		t.Fatal(err)
	}
	s.run(o)
	ctx := context.Background()
	waitFor(t, "the endpoint disabled", func() bool {
		got, _ := s.hooks.Get(ctx, s.tenant.ID, sub.ID)
		return !got.Enabled && got.Disabled == "disabled after 3 consecutive failed attempts" && got.Failures == 3
	})
	waitFor(t, "the delivery closed", func() bool {
		return s.count(`SELECT count(*) FROM forma.webhook_deliveries WHERE status = 'dead'`) == 1
	})
	on := true
	got, err := s.hooks.Update(ctx, s.tenant.ID, sub.ID, webhooks.Input{Enabled: &on})
	if err != nil || !got.Enabled || got.Disabled != "" || got.Failures != 0 {
		t.Fatalf("re-enabled: %+v, %v", got, err)
	}
}

// After a rotation, deliveries carry two signatures: the new secret's and the old one's.
func TestRotationSignsWithBothSecrets(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	rc := newReceiver(t, nil)
	sub := s.subscribe(rc.URL, recordEvents)
	rot, err := s.hooks.Rotate(context.Background(), s.tenant.ID, sub.ID)
	if err != nil || rot.Secret == sub.Secret || rot.SecretRotatedUntil == nil {
		t.Fatalf("Rotate = %+v, %v", rot, err)
	}
	if _, err := s.create(`{"code":"a"}`); err != nil {
		t.Fatal(err)
	}
	s.run(fast())
	waitFor(t, "a delivery", func() bool { return len(rc.delivered()) == 1 })
	h := rc.got()[0]
	ts, _ := strconv.ParseInt(h.ts, 10, 64)
	if len(strings.Fields(h.sig)) != 2 || !webhooks.Verify(sub.Secret, h.id, ts, h.body, h.sig) ||
		!webhooks.Verify(rot.Secret, h.id, ts, h.body, h.sig) {
		t.Fatalf("signature %q does not hold both secrets' signatures", h.sig)
	}
}
