package replicatest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// killPubSub kills the pub/sub connection of the Redis client named name, and only it:
// it finds the connection in CLIENT LIST and kills it by id.
func killPubSub(t *testing.T, redisURL, name string) {
	t.Helper()
	ctx := context.Background()
	opt, err := redis.ParseURL(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	list, err := rdb.Do(ctx, "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		if !strings.Contains(line, " name="+name+" ") {
			continue
		}
		id := strings.TrimPrefix(strings.Fields(line)[0], "id=")
		if err := rdb.Do(ctx, "CLIENT", "KILL", "ID", id).Err(); err != nil {
			t.Fatal(err)
		}
		killed++
	}
	if killed != 1 {
		t.Fatalf("killed %d pub/sub connections named %s, want 1", killed, name)
	}
}

// TestKilledSubscriptionDropsCache: B's window is an hour, so only Redis can tell it
// of a change. A change whose notice B never gets (made through L, whose notices go to
// another channel) is not seen by B; once B's pub/sub connection is killed, B
// resubscribes, drops its cache and serves the new model at once; and the notices of
// later changes reach B again.
func TestKilledSubscriptionDropsCache(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a"), c.start("b", window(time.Hour))
	lost := c.start("l", prefix(c.prefix+"elsewhere:"))
	waitHealthy(t, a, b, lost)
	key := newTenant(t, a, "acme")
	v1 := putEvent(t, a, "acme", key)
	list := "/api/v1/t/acme/data/event"
	if got := b.must(t, http.StatusOK, nil, "GET", list, key, "").version(); got != v1 {
		t.Fatalf("B serves v%d, want v%d", got, v1)
	}
	v2 := addField(t, lost, "acme", key, "late")
	if got := b.must(t, http.StatusOK, nil, "GET", list, key, "").version(); got != v1 {
		t.Fatalf("B serves v%d before its notice could arrive: the test lost nothing", got)
	}
	errs := b.app.Models.Stats().RedisErrors
	killPubSub(t, c.redisURL, b.clientName)
	eventually(t, 10*time.Second, "B saw its subscription die and resubscribed", func() bool {
		st := b.app.Models.Stats()
		return st.RedisErrors > errs && st.Healthy
	})
	if got := b.must(t, http.StatusOK, nil, "GET", list, key, "").version(); got != v2 {
		t.Fatalf("after the reconnect B serves v%d, want v%d", got, v2)
	}
	v3 := addField(t, a, "acme", key, "after")
	eventually(t, 5*time.Second, "B hears of v3", func() bool {
		return b.must(t, http.StatusOK, nil, "GET", list, key, "").version() == v3
	})
}

// TestLostNoticeBoundedByWindow: a change whose notice B never gets (made through L) is
// used by B no later than one window after it committed: every request B receives
// from then on is served with the new model.
func TestLostNoticeBoundedByWindow(t *testing.T) {
	t.Parallel()
	const win = 1500 * time.Millisecond
	c := newCluster(t)
	a, b := c.start("a"), c.start("b", window(win))
	lost := c.start("l", prefix(c.prefix+"elsewhere:"))
	waitHealthy(t, a, b, lost)
	key := newTenant(t, a, "acme")
	putEvent(t, a, "acme", key)
	list := "/api/v1/t/acme/data/event"
	for i := range rounds(5) {
		b.must(t, http.StatusOK, nil, "GET", list, key, "")
		v2 := addField(t, lost, "acme", key, "late"+string(rune('a'+i)))
		committed := time.Now() // the change committed before its answer came back
		sawStale, sawFresh := false, time.Duration(0)
		for {
			sent := time.Now()
			got := b.must(t, http.StatusOK, nil, "GET", list, key, "").version()
			switch {
			case got == v2 && sawFresh == 0:
				sawFresh = sent.Sub(committed)
			case got != v2 && sent.After(committed.Add(win)):
				t.Fatalf("round %d: B served v%d %s after the commit of v%d (window %s)", i, got, sent.Sub(committed), v2, win)
			case got != v2 && sawFresh > 0:
				t.Fatalf("round %d: B went back to v%d after serving v%d", i, got, v2)
			case got != v2:
				sawStale = true
			}
			if sent.After(committed.Add(win + 200*time.Millisecond)) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !sawStale {
			t.Logf("round %d: B already served v%d on its first read (slow round: the window had passed)", i, v2)
		}
		t.Logf("round %d: B served v%d from %s after the commit (window %s)", i, v2, sawFresh.Round(time.Millisecond), win)
	}
}
