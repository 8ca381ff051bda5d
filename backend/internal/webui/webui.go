// Package webui serves Forma's designer: the single-page app that `make web` builds
// into dist/ (web/dist, forma.wasm and Go's wasm_exec.js), embedded into the binary so
// that one process serves both the API and the UI.
//
// Client routes (/models/event) answer index.html; hashed assets (/assets/...) are
// cached for a year; a file with a precompressed sibling (forma.wasm.gz) is sent
// gzip-encoded to clients that accept it. When dist/ holds no index.html (a clean
// checkout), every page says to run `make web`.
package webui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var embedded embed.FS

// dist is the built app, rooted at dist/.
var dist = mustSub(embedded, "dist")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // dir is a constant that go:embed guarantees
	}
	return sub
}

// Built reports whether the embedded assets were built (dist/index.html exists).
func Built() bool {
	_, err := fs.Stat(dist, "index.html")
	return err == nil
}

// Handler serves the embedded designer. Mount it for every path outside /api/.
func Handler() http.Handler { return New(dist) }

// New serves the app in fsys (laid out as dist/); tests pass an fstest.MapFS.
func New(fsys fs.FS) http.Handler {
	s := &server{fsys: fsys, etags: map[string]string{}}
	_ = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if data, err := fs.ReadFile(fsys, name); err == nil {
			sum := sha256.Sum256(data)
			s.etags[name] = `"` + hex.EncodeToString(sum[:12]) + `"`
		}
		return nil
	})
	return s
}

// server answers with the files of fsys; etags holds each file's quoted content hash,
// computed once in New and only read afterwards.
type server struct {
	fsys  fs.FS
	etags map[string]string
}

const (
	// cacheImmutable is for files whose name holds their content hash.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cacheRevalidate is for files whose name stays the same across builds.
	cacheRevalidate = "no-cache"
	// csp allows the app's own scripts plus WebAssembly compilation, nothing else.
	csp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)

func (s *server) built() bool {
	_, err := fs.Stat(s.fsys, "index.html")
	return err == nil
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"type":"about:blank","title":"Not Found","status":404,"detail":"no such route","code":"not_found"}`))
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !s.built() {
		notBuilt(w)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || name == "index.html" || !s.isFile(name) {
		if name != "" && name != "index.html" && path.Ext(name) != "" {
			http.NotFound(w, r) // a missing asset, not a client route
			return
		}
		name = "index.html"
	}
	s.serveFile(w, r, name)
}

func (s *server) isFile(name string) bool {
	st, err := fs.Stat(s.fsys, name)
	return err == nil && !st.IsDir()
}

// serveFile writes name, or name.gz with Content-Encoding: gzip when the client accepts it.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	h := w.Header()
	ctype := mime.TypeByExtension(path.Ext(name))
	if path.Ext(name) == ".wasm" {
		ctype = "application/wasm"
	}
	if ctype == "" {
		ctype = "application/octet-stream"
	}
	h.Set("Content-Type", ctype)
	switch {
	case strings.HasPrefix(name, "assets/"):
		h.Set("Cache-Control", cacheImmutable)
	default:
		h.Set("Cache-Control", cacheRevalidate)
	}
	if name == "index.html" {
		h.Set("Content-Security-Policy", csp)
		h.Set("Referrer-Policy", "no-referrer")
	}
	send := name
	if s.isFile(name + ".gz") {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			send = name + ".gz"
			h.Set("Content-Encoding", "gzip")
		}
	}
	data, err := fs.ReadFile(s.fsys, send)
	if err != nil {
		http.Error(w, "cannot read "+send, http.StatusInternalServerError)
		return
	}
	if tag, ok := s.etags[send]; ok {
		h.Set("ETag", tag)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// acceptsGzip reports whether Accept-Encoding lists gzip with a non-zero weight.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

func notBuilt(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(notBuiltPage))
}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Forma: designer not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The designer was not built</h1>
<p>This binary was compiled without the web assets. Run <code>make web</code> in the repository,
then build and start Forma again. The API under <code>/api/v1</code> works without them.</p>
</body></html>
`
