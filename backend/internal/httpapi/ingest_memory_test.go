package httpapi_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"forma.dev/backend/internal/httpapi"
)

// rowsReader makes an NDJSON body of n event rows as it is read (the test holds no
// body), and counts its bytes.
type rowsReader struct {
	n, i  int
	buf   []byte
	bytes int
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) && r.i < r.n {
		r.buf = fmt.Appendf(r.buf, `{"country":"PL","source":"s%d","value":%d}`+"\n", r.i%100, r.i)
		r.i++
	}
	if len(r.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.buf)
	r.bytes += k
	r.buf = r.buf[k:]
	if len(r.buf) == 0 {
		r.buf = r.buf[:0:0]
	}
	return k, nil
}

// peakHeap runs fn and answers the largest heap in use seen while it ran, sampled.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	fn()
	close(done)
	<-sampled
	return peak.Load()
}

// TestStreamedCreateMemoryDoesNotGrowWithRows: the heap an import of 250,000 rows
// needs is about the heap one of 25,000 needs: no row is kept once it is written. Not
// parallel: the heap is the process's. Holding the rows would take some 60 MB more.
// The larger body is also larger than a JSON body may be: streamed bodies have their
// own limit.
func TestStreamedCreateMemoryDoesNotGrowWithRows(t *testing.T) {
	if testing.Short() {
		t.Skip("200,000 rows")
	}
	s, acme := startWithEvents(t)
	var body *rowsReader
	run := func(n int) uint64 {
		return peakHeap(func() {
			body = &rowsReader{n: n}
			res := postRows(s, acme.Write, "event", ndjson, body)
			if want := `{"created":` + strconv.Itoa(n) + `}`; res.Code != 201 || res.Body.String() != want {
				t.Fatalf("%d rows: %d %s", n, res.Code, res.Body)
			}
		})
	}
	small := run(25_000)
	large := run(250_000)
	t.Logf("peak heap in use: %d MB for 25,000 rows, %d MB for 250,000 (%d MB of body)", small>>20, large>>20, body.bytes>>20)
	if large > small+24<<20 {
		t.Fatalf("the heap grew with the rows: %d MB for 25,000, %d MB for 250,000", small>>20, large>>20)
	}
	if body.bytes <= httpapi.DefaultMaxBodyBytes {
		t.Fatalf("the body is %d bytes, no more than a JSON body may be", body.bytes)
	}
	if n := countRows(t, s, "event"); n != 275_000 {
		t.Fatalf("%d rows", n)
	}
}

// TestStreamedCreateClientGone: a client that goes away in the middle of its body has
// nothing written, and is counted as 499, not as a 500.
func TestStreamedCreateClientGone(t *testing.T) {
	t.Parallel()
	s, acme := startWithEvents(t)
	srv := httptest.NewServer(s.App.Handler)
	defer srv.Close()
	for _, ctype := range []string{ndjson, csvBody} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(conn)
		fmt.Fprintf(w, "POST /api/v1/t/acme/data/event HTTP/1.1\r\nHost: forma\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\nContent-Length: 100000000\r\n\r\n", acme.Write, ctype)
		if ctype == csvBody {
			w.WriteString("country,value\n" + strings.Repeat("PL,1\n", 5000))
		} else {
			w.WriteString(strings.Repeat(`{"country":"PL","value":1}`+"\n", 5000))
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		_ = conn.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	var metrics string
	for time.Now().Before(deadline) {
		metrics = s.Do("GET", "/metrics", "", "").Body.String()
		if strings.Contains(metrics, `status="499"} 2`) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(metrics, `status="499"} 2`) || strings.Contains(metrics, `status="500"`) {
		t.Fatalf("/metrics:\n%s", metrics)
	}
	if n := countRows(t, s, "event"); n != 0 {
		t.Fatalf("%d rows written", n)
	}
	var open int
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&open); err != nil || open != 0 {
		t.Fatalf("%d transactions left open (%v)", open, err)
	}
}
