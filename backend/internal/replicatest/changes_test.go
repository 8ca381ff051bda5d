package replicatest

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// sse is one open change stream: its events, as "event: … id: … data: …" lines, in order.
type sse struct {
	events chan string
	stop   context.CancelFunc
}

// openChanges opens a change stream of path on r; it fails t unless it opens.
func openChanges(t *testing.T, r *replica, path, key string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", r.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("GET %s on %s: %v %v", path, r.name, res, err)
	}
	s := &sse{events: make(chan string, 1000), stop: cancel}
	t.Cleanup(func() { cancel(); res.Body.Close() })
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var ev []string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "" && len(ev) > 0:
				s.events <- strings.Join(ev, " ")
				ev = nil
			case strings.HasPrefix(line, "event: "), strings.HasPrefix(line, "id: "), strings.HasPrefix(line, "data: "):
				ev = append(ev, line)
			}
		}
	}()
	return s
}

// next is the next event, within within.
func (s *sse) next(t *testing.T, within time.Duration) string {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return ev
	case <-time.After(within):
		t.Fatalf("no event within %s", within)
		return ""
	}
}

// A change written through A reaches a stream served by B, and so does one written while
// B's LISTEN connection is gone: the feed polls the log, the notice was only a wake-up.
// (The fan-out is Postgres NOTIFY, so the dropped connection is the LISTEN one, not Redis.)
func TestChangesWrittenOnAStreamFromB(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a"), c.start("b")
	waitHealthy(t, a, b)
	key := newTenant(t, a, "acme")
	putEvent(t, a, "acme", key)
	st := openChanges(t, b, "/api/v1/t/acme/data/event/changes?country=PL", key)
	if ev := st.next(t, 10*time.Second); !strings.HasPrefix(ev, "event: ready") {
		t.Fatalf("first event %q", ev)
	}
	for i := range 3 {
		a.must(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/event", key, fmt.Sprintf(`{"country":"DE","value":%d}`, i))
		a.must(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/event", key, fmt.Sprintf(`{"country":"PL","value":%d}`, i))
		if ev := st.next(t, 5*time.Second); !strings.HasPrefix(ev, "event: record.created") || !strings.Contains(ev, fmt.Sprintf(`"value":%d`, i)) {
			t.Fatalf("round %d: %q", i, ev)
		}
	}

	db, err := sql.Open("pgx", c.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var killed int
	err = db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN forma_changes%'`).Scan(&killed)
	if err != nil || killed != 2 {
		t.Fatalf("terminated %d LISTEN connections (want A's and B's): %v", killed, err)
	}
	a.must(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/event", key, `{"country":"PL","value":100}`)
	if ev := st.next(t, 5*time.Second); !strings.Contains(ev, `"value":100`) {
		t.Fatalf("after LISTEN dropped: %q", ev)
	}
	// LISTEN again within a few seconds; a change then arrives by its notice.
	eventually(t, 10*time.Second, "LISTEN again", func() bool {
		var n int
		_ = db.QueryRow(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
			AND query LIKE 'LISTEN forma_changes%'`).Scan(&n)
		return n == 2
	})
	a.must(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/event", key, `{"country":"PL","value":101}`)
	if ev := st.next(t, 5*time.Second); !strings.Contains(ev, `"value":101`) {
		t.Fatalf("after LISTEN came back: %q", ev)
	}
}

// Writers on two replicas at once: a stream on one of them gets every change once, in
// commit order (positions rising).
func TestChangesFromTwoReplicasKeepOrder(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a"), c.start("b")
	waitHealthy(t, a, b)
	key := newTenant(t, a, "acme")
	putEvent(t, a, "acme", key)
	st := openChanges(t, b, "/api/v1/t/acme/data/event/changes", key)
	st.next(t, 10*time.Second) // ready
	const each = 20
	done := make(chan struct{})
	for _, r := range []*replica{a, b} {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range each {
				r.must(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/event", key, fmt.Sprintf(`{"country":"%s","value":%d}`, r.name, i))
			}
		}()
	}
	<-done
	<-done
	var last int64
	seen := map[string]bool{}
	for range 2 * each {
		ev := st.next(t, 10*time.Second)
		var n int64
		var id string
		if _, err := fmt.Sscanf(ev[strings.Index(ev, "id: ")+4:], "%d-", &n); err != nil {
			t.Fatalf("no position in %q", ev)
		}
		id = ev[strings.Index(ev, `"id":`):]
		id = id[:strings.IndexAny(id, ",}")]
		if n <= last || seen[id] {
			t.Fatalf("position %d after %d, record %s seen before: %v", n, last, id, seen[id])
		}
		last, seen[id] = n, true
	}
}
