package replicatest

import (
	"context"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// privateRedis starts a redis-server of the test's own on port (nothing saved to disk)
// and returns a function that stops it; the test skips when there is no redis-server.
func privateRedis(t *testing.T, port string) (stop func()) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no redis-server on PATH")
	}
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(stop)
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port})
	defer rdb.Close()
	eventually(t, 5*time.Second, "private redis up", func() bool { return rdb.Ping(context.Background()).Err() == nil })
	return stop
}

// freePort returns a TCP port nothing listens on now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// mustContain fails unless the answer's body holds every fragment.
func mustContain(t *testing.T, a answer, fragments ...string) {
	t.Helper()
	for _, f := range fragments {
		if !strings.Contains(string(a.body), f) {
			t.Fatalf("%s lacks %s", a, f)
		}
	}
}

// TestRedisDownKeepsServing: with their Redis stopped mid-run, two replicas keep serving
// the data API from Postgres (a field added on A is written through B at once), /readyz
// stays 200 and says "degraded", /metrics shows the cache unhealthy; when Redis comes
// back both resubscribe and say ok again. A third replica whose Redis never answered (a
// closed port) serves all along, and uses each change within its window.
func TestRedisDownKeepsServing(t *testing.T) {
	t.Parallel()
	const win = 500 * time.Millisecond
	port := freePort(t)
	stop := privateRedis(t, port)
	c := newCluster(t)
	url := "redis://127.0.0.1:" + port + "/0"
	a, b := c.start("a", redisAt(url), window(win)), c.start("b", redisAt(url), window(win))
	never := c.start("never", redisAt("redis://127.0.0.1:"+freePort(t)+"/0"), window(win))
	waitHealthy(t, a, b)
	key := newTenant(t, a, "acme")
	putEvent(t, a, "acme", key)
	b.must(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/event", key, `{"country":"PL"}`)

	never.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme/data/event", key, "") // caches the model
	stop()
	eventually(t, 10*time.Second, "both see Redis gone", func() bool {
		return !a.app.Models.Healthy() && !b.app.Models.Healthy()
	})
	for _, r := range []*replica{b, never} {
		mustContain(t, r.must(t, http.StatusOK, nil, "GET", "/readyz", "", ""), `"status":"degraded"`,
			`"redis":{"detail":"Redis is unreachable`, `serving models from Postgres`, `"mode":"redis"`, `"healthy":false`)
		mustContain(t, r.must(t, http.StatusOK, nil, "GET", "/metrics", "", ""), "forma_model_cache_healthy 0")
	}
	list := "/api/v1/t/acme/data/event"
	for i := range rounds(5) {
		field := "down" + strconv.Itoa(i)
		v := addField(t, a, "acme", key, field)
		committed := time.Now()
		var rec record
		w := b.must(t, http.StatusCreated, &rec, "POST", list, key, `{"country":"DE","`+field+`":"x"}`)
		if w.version() < v || rec[field] != "x" {
			t.Fatalf("round %d: B wrote with v%d, A made v%d: %s", i, w.version(), v, w)
		}
		b.must(t, http.StatusOK, nil, "GET", list, key, "", versionHeader, strconv.FormatInt(v, 10))
		time.Sleep(time.Until(committed.Add(win))) // never only reads: its window alone brings v
		if got := never.must(t, http.StatusOK, nil, "GET", list, key, "").version(); got != v {
			t.Fatalf("round %d: a replica without Redis serves v%d past its window, want v%d", i, got, v)
		}
	}

	drops := b.app.Models.Stats().Drops
	privateRedis(t, port) // back, and empty
	eventually(t, 10*time.Second, "both resubscribed", func() bool {
		return a.app.Models.Healthy() && b.app.Models.Healthy() && b.app.Models.Stats().Drops > drops
	})
	mustContain(t, b.must(t, http.StatusOK, nil, "GET", "/readyz", "", ""), `"status":"ok"`, `"healthy":true`)
	v := addField(t, a, "acme", key, "back")
	if got := b.must(t, http.StatusCreated, nil, "POST", list, key, `{"country":"US","back":"y"}`).version(); got < v {
		t.Fatalf("after the restart B wrote with v%d, want v%d", got, v)
	}
}
