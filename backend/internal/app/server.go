package app

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"forma.dev/backend/internal/config"
)

// maxHeaderBytes bounds a request's line and headers: room for a list query with a
// thousand values in an __in, far below net/http's 1 MiB.
const maxHeaderBytes = 256 << 10

// newServer builds the http.Server of h with cfg's limits on slow clients. A request
// body gets cfg.ReadTimeout plus one second per cfg.ReadMinRate bytes received, so a
// body trickled in is cut after ReadTimeout while a large upload on a slow link goes
// through; net/http's own ReadTimeout would be one flat deadline for both. Each write
// of an answer gets WriteTimeout, counted from the write, not from the request, so a
// long schema change still gets its answer.
func newServer(h http.Handler, cfg config.Server, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           paced(h, cfg),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       cfg.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// paced sets the read deadline of each request's body and the write deadline of each
// write of its answer.
func paced(h http.Handler, cfg config.Server) http.Handler {
	if cfg.ReadTimeout <= 0 && cfg.WriteTimeout <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if cfg.WriteTimeout > 0 {
			_ = rc.SetWriteDeadline(time.Time{}) // a kept-alive connection keeps the last request's deadline
			w = &pacedWriter{ResponseWriter: w, rc: rc, timeout: cfg.WriteTimeout}
		}
		if cfg.ReadTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
			b := &pacedBody{ReadCloser: r.Body, rc: rc, start: time.Now(), grace: cfg.ReadTimeout, rate: int64(cfg.ReadMinRate)}
			if rc.SetReadDeadline(b.start.Add(b.grace)) == nil {
				r.Body = b
			}
		}
		h.ServeHTTP(w, r)
	})
}

// pacedBody moves the connection's read deadline on as the body arrives, and clears it
// at the body's end: net/http then reads the connection in the background, to see the
// client leave, and a deadline passing there would cancel the request.
type pacedBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	start    time.Time
	grace    time.Duration
	rate     int64
	received int64
}

func (b *pacedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.received += int64(n)
	switch {
	case err == io.EOF:
		_ = b.rc.SetReadDeadline(time.Time{})
	case n > 0:
		_ = b.rc.SetReadDeadline(b.start.Add(b.grace + time.Duration(b.received*int64(time.Second)/b.rate)))
	}
	return n, err
}

// pacedWriter gives each write of the answer its own deadline.
type pacedWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (w *pacedWriter) Write(p []byte) (int, error) {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	return w.ResponseWriter.Write(p)
}

// Flush lets handlers that stream flush through the wrapper.
func (w *pacedWriter) Flush() {
	_ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout))
	_ = w.rc.Flush()
}

// Hijack lets handlers take the connection over through the wrapper.
func (w *pacedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.rc.Hijack() }

// Unwrap gives http.ResponseController the connection's writer.
func (w *pacedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// limitListener accepts at most max connections at once (more wait in the kernel's
// backlog) and closes at once a connection whose address holds perIP already (0: no
// bound per address).
type limitListener struct {
	net.Listener
	slots chan struct{}
	perIP int
	mu    sync.Mutex
	open  map[string]int
}

// limitConns bounds ln's connections; max or perIP 0 leaves that bound out.
func limitConns(ln net.Listener, max, perIP int) net.Listener {
	if max <= 0 && perIP <= 0 {
		return ln
	}
	l := &limitListener{Listener: ln, perIP: perIP, open: map[string]int{}}
	if max > 0 {
		l.slots = make(chan struct{}, max)
	}
	return l
}

// Accept waits for a free slot, then for a connection whose address may have one more.
func (l *limitListener) Accept() (net.Conn, error) {
	if l.slots != nil {
		l.slots <- struct{}{}
	}
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			if l.slots != nil {
				<-l.slots
			}
			return nil, err
		}
		if l.perIP <= 0 {
			return &limitedConn{Conn: c, l: l}, nil
		}
		ip := host(c.RemoteAddr())
		l.mu.Lock()
		ok := l.open[ip] < l.perIP
		if ok {
			l.open[ip]++
		}
		l.mu.Unlock()
		if ok {
			return &limitedConn{Conn: c, l: l, ip: ip}, nil
		}
		_ = c.Close()
	}
}

func (l *limitListener) release(ip string) {
	if l.perIP > 0 {
		l.mu.Lock()
		if l.open[ip]--; l.open[ip] <= 0 {
			delete(l.open, ip)
		}
		l.mu.Unlock()
	}
	if l.slots != nil {
		<-l.slots
	}
}

func host(a net.Addr) string {
	if h, _, err := net.SplitHostPort(a.String()); err == nil {
		return h
	}
	return a.String()
}

// limitedConn gives its slot back once, when closed.
type limitedConn struct {
	net.Conn
	l    *limitListener
	ip   string
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.ip) })
	return err
}
