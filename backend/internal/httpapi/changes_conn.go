package httpapi

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// streamWriteTimeout bounds one write of a taken-over stream, as the server's write
// timeout bounds each write of an answer (app/server.go); the heartbeat keeps a stream
// writing well within it.
const streamWriteTimeout = 60 * time.Second

// connSink is a stream's connection, taken over from net/http: the answer's head, then
// each event as one write, with a body that ends when the connection closes.
type connSink struct{ conn net.Conn }

func (s connSink) write(b []byte) error {
	_ = s.conn.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	_, err := s.conn.Write(b)
	return err
}

// takeOver takes the request's HTTP/1.1 connection from net/http and writes the
// answer's head (200, c's headers, Connection: close) on it. ctx ends when the client
// sends anything or leaves (one read waits for it, as net/http's own background read
// does). false: the connection cannot be taken (HTTP/2, a recorder), nothing written.
// A context for the stream's reads: the request's ends when the handler returns.
func takeOver(c *gin.Context) (connSink, context.Context, bool) {
	if c.Request.ProtoMajor != 1 {
		return connSink{}, nil, false
	}
	u, ok := c.Writer.(interface{ Unwrap() http.ResponseWriter })
	if !ok {
		return connSink{}, nil, false
	}
	if _, ok := u.Unwrap().(http.Hijacker); !ok {
		return connSink{}, nil, false
	}
	c.Status(http.StatusOK) // for the request's log and metrics
	conn, _, err := c.Writer.Hijack()
	if err != nil {
		return connSink{}, nil, false
	}
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	h := c.Writer.Header()
	h.Set("Connection", "close")
	h.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	_ = h.Write(&head)
	head.WriteString("\r\n")
	sink := connSink{conn}
	ctx, cancel := context.WithCancel(context.Background())
	if sink.write(head.Bytes()) != nil {
		cancel() // the stream closes at once
		return sink, ctx, true
	}
	go func() {
		var b [1]byte
		_, _ = conn.Read(b[:]) // the client speaks only to leave
		cancel()
	}()
	return sink, ctx, true
}

// runDetached is run on a taken-over connection, which it closes; a panic is logged
// (no middleware recovers it here).
func (p *streamPump) runDetached(ctx context.Context, sink connSink) {
	defer sink.conn.Close()
	defer func() {
		if v := recover(); v != nil {
			p.a.log.Error("change stream panicked", "panic", v)
		}
	}()
	p.run(ctx)
}
