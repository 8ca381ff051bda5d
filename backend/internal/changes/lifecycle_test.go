package changes_test

import (
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/limits"
)

// A revoked key's stream ends, telling the client why.
func TestRevokedKeyEndsTheStream(t *testing.T) {
	t.Parallel()
	s := start(t)
	var k struct {
		ID  int64
		Key string
	}
	s.MustJSON(t, http.StatusCreated, &k, "POST", "/api/v1/t/acme/keys", s.tenant.Admin, `{"name":"app","role":"read"}`)
	st := s.open(t, "/data/orders/changes", k.Key)
	st.next(t)
	s.MustJSON(t, http.StatusNoContent, nil, "DELETE", "/api/v1/t/acme/keys/"+strconv.FormatInt(k.ID, 10), s.tenant.Admin, "")
	began := time.Now()
	evs := st.ended(t)
	if len(evs) != 1 || evs[0].Name != "end" || evs[0].Data != `{"reason":"unauthorized"}` {
		t.Fatalf("ended with %+v", evs)
	}
	if d := time.Since(began); d > 5*time.Second+2*time.Second {
		t.Fatalf("ended after %s", d)
	}
}

// A schema change ends the streams of the tenant (their filters and the roles are
// compiled for a version); the client resumes from the position it names.
func TestSchemaChangeEndsTheStreamWithAPosition(t *testing.T) {
	t.Parallel()
	s := start(t)
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	ready := st.next(t)
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/more", s.tenant.Admin, orderModel)
	evs := st.ended(t)
	if len(evs) != 1 || evs[0].Name != "end" || evs[0].ID != ready.ID {
		t.Fatalf("ended with %+v", evs)
	}
	back := s.open(t, "/data/orders/changes", s.tenant.Read, "Last-Event-ID", evs[0].ID)
	back.next(t)
	s.write(t, "POST", "", `{"country":"PL","amount":1}`)
	if back.next(t).Name != "record.created" {
		t.Fatal("no change after resuming")
	}
}

// Streams are bounded per tenant (429) and per replica (503), and the heartbeat flows.
func TestStreamsAreBounded(t *testing.T) {
	t.Parallel()
	s := start(t, func(c *config.Config) { c.Changes.MaxStreamsPerTenant, c.Changes.MaxStreams = 2, 3 })
	beta := s.Tenant(t, "beta")
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/beta/models/orders", beta.Admin, orderModel)
	a1 := s.open(t, "/data/orders/changes", s.tenant.Read)
	s.open(t, "/data/orders/changes", s.tenant.Read)
	if _, res := s.try(t, "/data/orders/changes", s.tenant.Read); res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third stream of a tenant: %v, want 429", res)
	}
	req, _ := http.NewRequest("GET", s.url+"/api/v1/t/beta/data/orders/changes", nil)
	req.Header.Set("Authorization", "Bearer "+beta.Read)
	b1, err := http.DefaultClient.Do(req)
	if err != nil || b1.StatusCode != 200 {
		t.Fatalf("beta's first: %v %v", b1, err)
	}
	defer b1.Body.Close()
	b2, err := http.DefaultClient.Do(req.Clone(req.Context()))
	if err != nil || b2.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("fourth stream of the replica: %v %v, want 503", b2, err)
	}
	b2.Body.Close()
	a1.next(t)
	deadline := time.After(2 * time.Second)
	for {
		select {
		case ev := <-a1.events:
			if ev.Comment == "heartbeat" {
				return
			}
		case <-deadline:
			t.Fatal("no heartbeat within 2s (every 200ms in tests)")
		}
	}
}

// A client that leaves takes its stream, its feed and their goroutines with it.
func TestNoGoroutineOutlivesItsClient(t *testing.T) {
	s := start(t)
	runtime.GC()
	before := runtime.NumGoroutine()
	for range 5 {
		var streams []*stream
		for range 4 {
			st := s.open(t, "/data/orders/changes?country=PL", s.tenant.Read)
			st.next(t)
			streams = append(streams, st)
		}
		s.write(t, "POST", "", `{"country":"PL","amount":1}`)
		for _, st := range streams {
			st.next(t)
			st.close()
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if s.App.Changes.Streams() == 0 && s.App.Changes.Feeds() == 0 && n <= before+2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("streams %d, feeds %d, goroutines %d (before %d)", s.App.Changes.Streams(), s.App.Changes.Feeds(), n, before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// An open stream gives back its concurrent_requests slot: with a limit of one request in
// flight, the tenant's requests go on beside its streams.
func TestStreamsDoNotHoldARequestSlot(t *testing.T) {
	t.Parallel()
	s := start(t, func(c *config.Config) { c.TenantLimits[limits.ConcurrentRequests] = 1 })
	for range 3 {
		s.open(t, "/data/orders/changes", s.tenant.Read).next(t)
	}
	if rec := s.Do("GET", "/api/v1/t/acme/data/orders", s.tenant.Read, ""); rec.Code != http.StatusOK {
		t.Fatalf("a list beside 3 streams: %d %s", rec.Code, rec.Body)
	}
}

// Stopping the server ends its streams with a position to resume from (the server's
// shutdown does not wait for them).
func TestStopEndsTheStreams(t *testing.T) {
	t.Parallel()
	s := start(t)
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	ready := st.next(t)
	_ = s.App.Close()
	evs := st.ended(t)
	if len(evs) != 1 || evs[0].Name != "end" || evs[0].Data != `{"reason":"shutdown"}` || evs[0].ID != ready.ID {
		t.Fatalf("ended with %+v, want end shutdown at %s", evs, ready.ID)
	}
}
