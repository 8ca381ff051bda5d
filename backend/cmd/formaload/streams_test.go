package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestStreamsCountEveryDelivery runs the streams case against a server that answers each
// create with an id and sends every created record to every stream of its tenant (as
// Server-Sent Events, after a ready event), but drops the record 3 on one stream: the
// case sees every other delivery and reports the one missing.
func TestStreamsCountEveryDelivery(t *testing.T) {
	t.Parallel()
	var next atomic.Int64
	var mu sync.Mutex
	var opened []chan string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/changes"):
			ch := make(chan string, 100)
			mu.Lock()
			opened = append(opened, ch) // before ready: every create after it reaches this stream
			mu.Unlock()
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprint(w, "event: ready\nid: 0\ndata: {\"schema_version\":1}\n\n")
			w.(http.Flusher).Flush()
			for {
				select {
				case ev := <-ch:
					fmt.Fprint(w, ": heartbeat\n\n"+ev)
					w.(http.Flusher).Flush()
				case <-r.Context().Done():
					return
				}
			}
		case r.Method == http.MethodPost:
			id := next.Add(1)
			now := time.Now().UTC().Format(time.RFC3339Nano)
			mu.Lock()
			defer mu.Unlock()
			for i, ch := range opened {
				if id == 3 && i == 0 {
					continue
				}
				ch <- fmt.Sprintf("event: record.created\nid: %d\ndata: {\"schema_version\":1,\"record\":{\"id\":%d,\"created_at\":%q}}\n\n", id, id, now)
			}
			fmt.Fprintf(w, `{"id":%d}`, id)
		default:
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	o, err := parseFlags([]string{"-url", srv.URL, "-key", "fk_x", "-case", "streams", "-streams", "2", "-rate", "50",
		"-duration", "200ms", "-warmup", "0s", "-c", "1"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLoader(o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.runStreams()
	if res == nil {
		t.Fatal(err)
	}
	if res.Creates < 5 || res.Expected != 2*res.Creates || res.Deliveries != res.Expected-1 {
		t.Fatalf("creates %d, expected %d, deliveries %d: want every create on both streams but one", res.Creates, res.Expected, res.Deliveries)
	}
	if err == nil || !strings.Contains(err.Error(), "missed 1 of") {
		t.Fatalf("err %v, want the one missing delivery reported", err)
	}
	if res.P99Ms <= 0 || res.P99Ms > 5000 {
		t.Fatalf("delivery p99 %v ms", res.P99Ms)
	}
}
