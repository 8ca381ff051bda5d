package changes_test

import (
	"bytes"
	"net"
	"net/url"
	"runtime"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/limits"
)

// idleStreams is how many streams TestIdleStreamMemory holds open, and maxIdleStream the
// heap and stacks one may hold. A stream served in its request's handler held some
// 40 KiB: the request's goroutine parked under the middleware chain (a 16 KiB stack),
// net/http's buffers and request. Taken over from net/http (httpapi/changes_conn.go), an
// idle stream holds its connection, its state, a goroutine parked in one small frame and
// one waiting for the client to leave: some 11 KiB.
const (
	idleStreams   = 2000
	maxIdleStream = 16 << 10
)

// An idle stream costs little memory: idleStreams streams held open over real HTTP
// (each client a bare connection, so that the client's side hardly counts) raise the
// heap and stacks in use by less than maxIdleStream each.
func TestIdleStreamMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 2,000 streams")
	}
	s := start(t, func(c *config.Config) {
		c.Changes.Heartbeat = time.Hour // idle: nothing to send
		c.Changes.MaxStreams = idleStreams + 10
		c.Changes.MaxStreamsPerTenant = idleStreams + 10
		c.TenantLimits[limits.RequestsPerSecond] = 1_000_000
	})
	u, err := url.Parse(s.url)
	if err != nil {
		t.Fatal(err)
	}
	request := []byte("GET /api/v1/t/acme/data/orders/changes HTTP/1.1\r\nHost: " + u.Host +
		"\r\nAuthorization: Bearer " + s.tenant.Read + "\r\nAccept: text/event-stream\r\n\r\n")
	// The first stream leases the model's feed (it waits a moment for it, lease.go), so
	// that every measured stream opens on a feed that exists.
	first := openBare(t, u.Host, request)
	defer first.Close()

	heap0, stack0 := inUse()
	conns := make([]net.Conn, 0, idleStreams)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range idleStreams {
		conns = append(conns, openBare(t, u.Host, request))
	}
	heap1, stack1 := inUse()
	heap, stack := (heap1-heap0)/idleStreams, (stack1-stack0)/idleStreams
	t.Logf("%d idle streams: %d B of heap and %d B of stacks each", idleStreams, heap, stack)
	if heap+stack > maxIdleStream+raceStacks {
		t.Fatalf("an idle stream holds %d B of heap and %d B of stacks, want at most %d in all", heap, stack, maxIdleStream+raceStacks)
	}
}

// inUse is the heap and the stacks in use, once the garbage is collected.
func inUse() (heap, stack int64) {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse), int64(m.StackInuse)
}

// openBare opens a stream on a bare connection and reads until its ready event; the
// connection then stays unread.
func openBare(t *testing.T, host string, request []byte) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(request); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []byte
	buf := make([]byte, 512)
	for !bytes.Contains(got, []byte("event: ready\n")) {
		n, err := c.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			t.Fatalf("opening a stream: %v after %q", err, got)
		}
	}
	if !bytes.HasPrefix(got, []byte("HTTP/1.1 200 ")) {
		t.Fatalf("opening a stream: %q", got)
	}
	_ = c.SetReadDeadline(time.Time{})
	return c
}
