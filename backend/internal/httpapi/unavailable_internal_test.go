package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/db"
)

// TestAnUnreachableDatabaseIsA503WithRetryAfter: an error that says the database is
// not there, from any handler and however wrapped, is a 503 unavailable problem with
// Retry-After, not a 500.
func TestAnUnreachableDatabaseIsA503WithRetryAfter(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, refused := db.Open(context.Background(), "postgres://postgres@"+addr+"/x?sslmode=disable&connect_timeout=2")
	if refused == nil {
		t.Fatal("connected to a closed port")
	}
	h := New(Deps{})
	a := &api{log: slog.New(slog.DiscardHandler)}
	h.(*gin.Engine).GET("/down", func(c *gin.Context) { a.fail(c, fmt.Errorf("list models: %w", refused)) })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/down", nil))
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "1" || rec.Header().Get("Content-Type") != ProblemContentType ||
		!strings.Contains(rec.Body.String(), `"code":"unavailable"`) || strings.Contains(rec.Body.String(), addr) {
		t.Fatalf("status %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}

// TestAClientThatLeftIsLogged499: a request whose client went away while it was served
// is answered nothing, and logged (at info, not as an error) as 499.
func TestAClientThatLeftIsLogged499(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := New(Deps{Logger: log})
	a := &api{log: log}
	h.(*gin.Engine).GET("/slow", func(c *gin.Context) {
		<-c.Request.Context().Done() // the client leaves mid-query
		a.fail(c, fmt.Errorf("query: %w", c.Request.Context().Err()))
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/slow", nil).WithContext(ctx))
	if rec.Code != StatusClientClosed || rec.Body.Len() != 0 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	got := logs.String()
	if !strings.Contains(got, "level=INFO msg=request") || !strings.Contains(got, "status=499") ||
		strings.Contains(got, "level=ERROR") || strings.Contains(got, "level=WARN") {
		t.Fatalf("logs:\n%s", got)
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNotReadyHasRetryAfter: /readyz with a dependency down is a 503 with Retry-After.
func TestNotReadyHasRetryAfter(t *testing.T) {
	t.Parallel()
	h := New(Deps{Checks: []Check{{Name: "postgres", Ping: func(context.Context) error { return fmt.Errorf("down") }}}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != 503 || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), `"checks":{"postgres":{"status":"unavailable"}}`) {
		t.Fatalf("status %d, Retry-After %q: %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}
