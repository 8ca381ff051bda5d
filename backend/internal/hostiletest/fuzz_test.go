package hostiletest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzRouter sends generated requests (a route, a method, a path suffix, a query, a
// body and an Authorization header) to a real server: none may answer a 5xx, hang, or
// answer an error that is not a problem document with a stable code.
func FuzzRouter(f *testing.F) {
	fx := newFixture(f)
	for i := range fx.routes {
		f.Add(uint16(i), "", "", "", []byte(`{"n":"PL"}`), uint8(0))
	}
	f.Add(uint16(0), "BREWX", "/x", "limit=%zz", []byte(`{"a":1,"a":2}`), uint8(1))
	f.Add(uint16(1), "", "", "expand=o,o", []byte("\xff"), uint8(2))
	for _, q := range mangledQueries[:10] {
		f.Add(uint16(3), "", "", q, []byte(malformedBodies["deep arrays"][:100]), uint8(0))
	}
	f.Fuzz(func(t *testing.T, route uint16, method, suffix, query string, body []byte, auth uint8) {
		r := fx.routes[int(route)%len(fx.routes)]
		if method == "" {
			method = r.Method
		}
		if !validMethod(method) {
			return // net/http refuses it before any handler runs
		}
		p, _ := path(r.Path)
		req := &http.Request{
			Method:        method,
			URL:           &url.URL{Path: p + suffix, RawQuery: query},
			Header:        http.Header{},
			Body:          io.NopCloser(bytes.NewReader(body)),
			ContentLength: int64(len(body)),
			Host:          "forma.test",
			RemoteAddr:    "192.0.2.1:1234",
			Proto:         "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		}
		switch auth % 4 {
		case 0:
			if k := fx.keyFor(r.Path); k != "" {
				req.Header.Set("Authorization", "Bearer "+k)
			}
		case 1:
			req.Header.Set("Authorization", "Bearer "+fx.tenant.Read)
		case 2:
			req.Header.Set("Authorization", "Bearer "+string(body))
			req.RemoteAddr = "198.51.100.7:4000" // failures are limited per address: not the good keys' one
		}
		req = req.WithContext(t.Context())
		a := fx.send(t, req)
		if !strings.HasPrefix(req.URL.Path, "/api/") {
			// Outside the API: the designer, or a page saying it was not built (503).
			if a.status >= 500 && a.status != http.StatusServiceUnavailable {
				t.Errorf("%s %q: status %d", method, req.URL.Path, a.status)
			}
			return
		}
		if err := checkProblem(a); err != nil {
			t.Errorf("%s %s?%s: %v", method, req.URL.Path, query, err)
		}
	})
}

// validMethod reports whether m is an HTTP token, as net/http requires of a method.
func validMethod(m string) bool {
	return m != "" && !strings.ContainsFunc(m, func(r rune) bool {
		return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
	})
}
