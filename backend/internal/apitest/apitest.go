// Package apitest starts an in-process Forma on a fresh database for HTTP tests and
// runs declarative request scenarios against it.
package apitest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"forma.dev/backend/internal/app"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/testdb"
)

// AdminKey is the platform key of every test server.
const AdminKey = "test-platform-key-0123456789"

// Server is Forma wired as in production (app.New) on a database of its own.
type Server struct {
	App      *app.App
	AdminKey string
}

// Start builds a server on a fresh database; everything is released in t.Cleanup.
// Pass options to change the configuration (e.g. a Redis URL).
func Start(t testing.TB, options ...func(*config.Config)) *Server {
	t.Helper()
	cfg, err := config.Load(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = testdb.New(t)
	cfg.AdminKey = AdminKey
	for _, o := range options {
		o(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, fuzz := t.(*testing.F); testing.Verbose() && !fuzz { // an F may not log once fuzzing
		log = slog.New(slog.NewTextHandler(&testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return &Server{App: a, AdminKey: cfg.AdminKey}
}

// Do sends one request (key "" sends no Authorization header) and records the answer.
func (s *Server) Do(method, path, key, body string) *httptest.ResponseRecorder {
	return s.Serve(s.Request(method, path, key, body))
}

// Request builds a request as Do sends it, for tests that set more headers.
func (s *Server) Request(method, path, key, body string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return req
}

// Serve runs a request through the server's handler and records the answer.
func (s *Server) Serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.App.Handler.ServeHTTP(rec, req)
	return rec
}

// Tenant is a tenant created through the API with one key of each role.
type Tenant struct {
	Slug               string
	Admin, Write, Read string
}

// Tenant creates tenant slug with its first admin key plus a write and a read key.
func (s *Server) Tenant(t testing.TB, slug string) Tenant {
	t.Helper()
	var created struct {
		Key struct{ Key string } `json:"key"`
	}
	s.MustJSON(t, http.StatusCreated, &created, "POST", "/api/v1/tenants", s.AdminKey, `{"slug":"`+slug+`"}`)
	tn := Tenant{Slug: slug, Admin: created.Key.Key}
	for _, role := range []string{"write", "read"} {
		var k struct{ Key string }
		s.MustJSON(t, http.StatusCreated, &k, "POST", "/api/v1/t/"+slug+"/keys", tn.Admin, `{"name":"`+role+`","role":"`+role+`"}`)
		if role == "write" {
			tn.Write = k.Key
		} else {
			tn.Read = k.Key
		}
	}
	return tn
}

// MustJSON sends a request, fails t unless the status is want, and decodes the body into out.
func (s *Server) MustJSON(t testing.TB, want int, out any, method, path, key, body string) {
	t.Helper()
	rec := s.Do(method, path, key, body)
	if rec.Code != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, rec.Code, want, rec.Body)
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, rec.Body)
		}
	}
}

type testWriter struct{ t testing.TB }

func (w *testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
