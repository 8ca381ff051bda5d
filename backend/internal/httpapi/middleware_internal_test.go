package httpapi

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func TestAPanicIsALogged500WithoutInternals(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := New(Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	h.(*gin.Engine).GET("/boom", func(*gin.Context) { panic("secret: connection to 10.0.0.7 refused") })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))
	body := rec.Body.String()
	if rec.Code != 500 || rec.Header().Get("Content-Type") != ProblemContentType ||
		!strings.Contains(body, `"detail":"internal error"`) {
		t.Fatalf("status %d %q: %s", rec.Code, rec.Header().Get("Content-Type"), body)
	}
	if strings.Contains(body, "secret") || strings.Contains(body, "10.0.0.7") {
		t.Fatalf("the answer shows internals: %s", body)
	}
	if !strings.Contains(logs.String(), "10.0.0.7") || !strings.Contains(logs.String(), "stack") {
		t.Fatalf("the panic is not logged in full: %s", logs.String())
	}
}

func TestAnUnknownErrorIsALogged500WithoutInternals(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := New(Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	a := &api{log: slog.New(slog.NewTextHandler(&logs, nil))}
	h.(*gin.Engine).GET("/fail", func(c *gin.Context) { a.fail(c, errSecret{}) })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/fail", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "pq-password") {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "pq-password") {
		t.Fatalf("the error is not logged: %s", logs.String())
	}
}

type errSecret struct{}

func (errSecret) Error() string { return "dial postgres://forma:pq-password@db" }
