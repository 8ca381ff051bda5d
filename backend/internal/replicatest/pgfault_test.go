package replicatest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// faultClient bounds every request of the fault test: an answer that does not come
// within it is a hang, and fails the test.
var faultClient = &http.Client{Timeout: 5 * time.Second}

// TestPostgresDownAndRestarting: two replicas under load (creates, gets, lists and a
// control-plane route) while their Postgres is stopped for two seconds and started
// again, then restarted (pg_ctl restart -m fast). Every answer is a 2xx or a 503
// problem document with Retry-After, none a 500 or a hang; after each, both replicas
// answer 2xx again within a few seconds of Postgres answering.
func TestPostgresDownAndRestarting(t *testing.T) {
	t.Parallel()
	pg := startPrivatePG(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	c := &cluster{t: t, dbURL: pg.url(), redisURL: sharedRedisURL(), prefix: "forma-replicatest-" + hex.EncodeToString(b[:]) + ":"}
	t.Cleanup(func() { deleteKeys(c.redisURL, c.prefix) })
	ra, rb := c.start("a", unlimited), c.start("b", unlimited)
	waitHealthy(t, ra, rb)
	key := newTenant(t, ra, "acme")
	putEvent(t, ra, "acme", key)
	var first record
	ra.must(t, http.StatusCreated, &first, "POST", "/api/v1/t/acme/data/event", key, `{"country":"PL","value":1}`)
	paths := []string{"/api/v1/t/acme/data/event", "/api/v1/t/acme/data/event/" + first.id(),
		"/api/v1/t/acme/data/event?limit=5", "/api/v1/t/acme/models"}

	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts, bad := map[int]int{}, []string{}
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; !stop.Load(); i++ {
				r := []*replica{ra, rb}[(w+i)%2]
				method, path, body := "GET", paths[(w+i)%len(paths)], ""
				if path == paths[0] {
					method, body = "POST", `{"country":"DE","value":2}`
				}
				status, problem := faultRequest(r, method, path, key, body)
				mu.Lock()
				counts[status]++
				if problem != "" {
					bad = append(bad, fmt.Sprintf("%s %s on %s: %s", method, path, r.name, problem))
				}
				mu.Unlock()
				if status != http.StatusOK && status != http.StatusCreated {
					time.Sleep(20 * time.Millisecond) // as a client told to retry would
				}
			}
		}()
	}
	start := time.Now()
	time.Sleep(time.Second)
	pg.ctl("stop")
	t.Logf("%s: Postgres stopped", time.Since(start).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	pg.ctl("start")
	t.Logf("%s: Postgres started; replicas answer 2xx again after %s", time.Since(start).Round(time.Millisecond), recovered(t, paths, key, ra, rb))
	time.Sleep(time.Second)
	pg.ctl("restart")
	t.Logf("%s: Postgres restarted; replicas answer 2xx again after %s", time.Since(start).Round(time.Millisecond), recovered(t, paths, key, ra, rb))
	time.Sleep(time.Second)
	stop.Store(true)
	wg.Wait()
	t.Logf("answers by status: %v", counts)
	for _, s := range bad {
		t.Error(s)
	}
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Error("no request met the outage: the test tested nothing")
	}
}

// faultRequest sends one request and says what is wrong with its answer, if anything:
// it must be a 2xx, or a 503 problem document with Retry-After.
func faultRequest(r *replica, method, path, key, body string) (int, string) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, r.url+path, rd)
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := faultClient.Do(req)
	if err != nil {
		return 0, err.Error() // a hang (timeout) or a dropped connection
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err.Error()
	}
	switch {
	case res.StatusCode >= 200 && res.StatusCode < 300:
		return res.StatusCode, ""
	case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") != "" &&
		res.Header.Get("Content-Type") == "application/problem+json" && strings.Contains(string(b), `"code":"unavailable"`):
		return res.StatusCode, ""
	}
	return res.StatusCode, fmt.Sprintf("%d (Retry-After %q): %s", res.StatusCode, res.Header.Get("Retry-After"), b)
}

// recovered waits until every replica answers 2xx on each path, failing the test after
// 10 seconds; it returns how long that took.
func recovered(t *testing.T, paths []string, key string, rs ...*replica) time.Duration {
	t.Helper()
	start := time.Now()
	for _, r := range rs {
		for _, p := range paths[1:] {
			eventually(t, 10*time.Second, r.name+" answers GET "+p+" after Postgres is back", func() bool {
				status, _ := faultRequest(r, "GET", p, key, "")
				return status == http.StatusOK
			})
		}
	}
	return time.Since(start)
}
