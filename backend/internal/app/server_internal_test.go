package app

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

// serveTest serves h with cfg on a real listener and returns its address.
func serveTest(t *testing.T, cfg config.Server, h http.HandlerFunc) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(h, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	go func() { _ = srv.Serve(limitConns(ln, cfg.MaxConns, cfg.MaxConnsPerIP)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// readBody answers how much of the body it read, and the read's error.
func readBody(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	fmt.Fprintf(w, "%d %v", n, err)
}

func TestATrickledBodyIsCut(t *testing.T) {
	t.Parallel()
	addr := serveTest(t, config.Server{ReadTimeout: 500 * time.Millisecond, ReadMinRate: 1 << 20}, readBody)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
	start := time.Now()
	go func() {
		for i := 0; i < 100; i++ {
			if _, err := c.Write([]byte("x")); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	body, _ := io.ReadAll(res.Body)
	if d := time.Since(start); d > 2*time.Second || !strings.Contains(string(body), "timeout") {
		t.Fatalf("after %v: %s, want the body cut after 500ms", d, body)
	}
}

func TestASlowSteadyUploadGoesThrough(t *testing.T) {
	t.Parallel()
	addr := serveTest(t, config.Server{ReadTimeout: 300 * time.Millisecond, ReadMinRate: 64 << 10}, readBody)
	pr, pw := io.Pipe()
	go func() { // 256 KiB at about 256 KiB/s: four times the floor, over three times the grace
		chunk := make([]byte, 16<<10)
		for i := 0; i < 16; i++ {
			time.Sleep(60 * time.Millisecond)
			_, _ = pw.Write(chunk)
		}
		_ = pw.Close()
	}()
	res, err := http.Post("http://"+addr+"/", "application/octet-stream", pr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != fmt.Sprintf("%d <nil>", 256<<10) {
		t.Fatalf("slow upload: %s", body)
	}
}

func TestALongHandlerIsNotCancelledByTheReadDeadline(t *testing.T) {
	t.Parallel()
	addr := serveTest(t, config.Server{ReadTimeout: 100 * time.Millisecond, ReadMinRate: 1 << 20}, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
			fmt.Fprint(w, "cancelled")
		case <-time.After(500 * time.Millisecond):
			fmt.Fprint(w, "done")
		}
	})
	res, err := http.Post("http://"+addr+"/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(body) != "done" {
		t.Fatalf("a handler outliving the body's deadline: %s", body)
	}
}

func TestAnIdleConnectionIsClosed(t *testing.T) {
	t.Parallel()
	addr := serveTest(t, config.Server{IdleTimeout: 300 * time.Millisecond}, readBody)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	r := bufio.NewReader(c)
	res, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.ReadAll(res.Body)
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := r.ReadByte(); err != io.EOF || time.Since(start) > 2*time.Second {
		t.Fatalf("idle connection after %v: %v, want closed after 300ms", time.Since(start), err)
	}
}

func TestConnectionsPerAddressAreBounded(t *testing.T) {
	t.Parallel()
	addr := serveTest(t, config.Server{MaxConnsPerIP: 1}, readBody)
	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	fmt.Fprintf(first, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(first), nil); err != nil {
		t.Fatal(err)
	}
	second, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	_ = second.SetReadDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(second, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := second.Read(make([]byte, 1)); err == nil {
		t.Fatal("a second connection from one address was served")
	}
}
