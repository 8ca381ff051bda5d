package webui_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"forma.dev/backend/internal/webui"
)

func built() fstest.MapFS {
	return fstest.MapFS{
		"index.html":           {Data: []byte("<!doctype html><title>Forma</title>")},
		"assets/index-abc1.js": {Data: []byte("console.log(1)")},
		"forma.wasm":           {Data: []byte("\x00asm raw")},
		"forma.wasm.gz":        {Data: []byte("gzipped bytes")},
		"wasm_exec.js":         {Data: []byte("// go")},
	}
}

func TestHandler(t *testing.T) {
	scenarios := []struct {
		name, path, accept string
		status             int
		ctype, encoding    string
		cache, body        string
	}{
		{name: "index", path: "/", status: 200, ctype: "text/html; charset=utf-8", cache: "no-cache", body: "<title>Forma"},
		{name: "client route", path: "/models/event", status: 200, ctype: "text/html; charset=utf-8", body: "<title>Forma"},
		{name: "hashed asset", path: "/assets/index-abc1.js", status: 200, ctype: "text/javascript; charset=utf-8",
			cache: "public, max-age=31536000, immutable", body: "console.log"},
		{name: "missing asset", path: "/assets/gone-123.js", status: 404},
		{name: "wasm gzip", path: "/forma.wasm", accept: "gzip, deflate, br", status: 200, ctype: "application/wasm",
			encoding: "gzip", cache: "no-cache", body: "gzipped bytes"},
		{name: "wasm identity", path: "/forma.wasm", accept: "br", status: 200, ctype: "application/wasm", body: "\x00asm raw"},
		{name: "wasm gzip refused", path: "/forma.wasm", accept: "gzip;q=0", status: 200, ctype: "application/wasm", body: "\x00asm raw"},
		{name: "api is not the app", path: "/api/v1/nope", status: 404, ctype: "application/problem+json"},
	}
	h := webui.New(built())
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, sc.path, nil)
			if sc.accept != "" {
				req.Header.Set("Accept-Encoding", sc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			res := rec.Result()
			if res.StatusCode != sc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, sc.status)
			}
			if sc.ctype != "" && res.Header.Get("Content-Type") != sc.ctype {
				t.Errorf("Content-Type %q, want %q", res.Header.Get("Content-Type"), sc.ctype)
			}
			if got := res.Header.Get("Content-Encoding"); got != sc.encoding {
				t.Errorf("Content-Encoding %q, want %q", got, sc.encoding)
			}
			if sc.cache != "" && res.Header.Get("Cache-Control") != sc.cache {
				t.Errorf("Cache-Control %q, want %q", res.Header.Get("Cache-Control"), sc.cache)
			}
			if !strings.Contains(rec.Body.String(), sc.body) {
				t.Errorf("body %q does not contain %q", rec.Body.String(), sc.body)
			}
		})
	}
}

func TestETag(t *testing.T) {
	h := webui.New(built())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/wasm_exec.js", nil))
	tag := rec.Header().Get("ETag")
	if tag == "" {
		t.Fatal("no ETag")
	}
	req := httptest.NewRequest(http.MethodGet, "/wasm_exec.js", nil)
	req.Header.Set("If-None-Match", tag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("status %d, want 304", rec.Code)
	}
}

func TestNotBuilt(t *testing.T) {
	h := webui.New(fstest.MapFS{".gitkeep": {}})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/models", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "make web") {
		t.Fatalf("status %d body %q, want 503 saying make web", rec.Code, rec.Body.String())
	}
}

func TestMethod(t *testing.T) {
	rec := httptest.NewRecorder()
	webui.New(built()).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status %d, want 405", rec.Code)
	}
}

// TestEmbedded checks the assets that `make web` embedded, when they were built.
func TestEmbedded(t *testing.T) {
	if !webui.Built() {
		t.Skip("the designer was not built (make web)")
	}
	h := webui.Handler()
	req := httptest.NewRequest(http.MethodGet, "/forma.wasm", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/wasm" || rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("forma.wasm: %d %q %q, want 200 application/wasm gzip", rec.Code,
			rec.Header().Get("Content-Type"), rec.Header().Get("Content-Encoding"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/models/event", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `<div id="app">`) {
		t.Fatalf("client route: %d, want index.html", rec.Code)
	}
}
