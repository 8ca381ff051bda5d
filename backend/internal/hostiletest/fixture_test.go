package hostiletest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
)

// fixture is a server with one tenant whose every kind of object exists once, so that
// every route has something to act on.
type fixture struct {
	s      *apitest.Server
	tenant apitest.Tenant
	routes []gin.RouteInfo
	// clients counts the addresses requests came from (as).
	clients int
}

// model is the definition of the fixture's model q: a field of most types, a relation
// to itself, choices and an index.
const model = `{"fields":[
  {"name":"n","type":"text","options":{"max_length":20},"choices":["PL","DE"]},
  {"name":"v","type":"integer","options":{"min":0}},
  {"name":"d","type":"decimal","options":{"precision":10,"scale":2}},
  {"name":"b","type":"boolean"},
  {"name":"ts","type":"datetime"},
  {"name":"j","type":"json"},
  {"name":"o","type":"relation","related_model":"q","options":{"on_delete":"set_null"}}],
  "indexes":[["n","-ts"]]}`

func newFixture(t testing.TB) *fixture {
	t.Helper()
	s := apitest.Start(t, func(c *config.Config) { c.WebhookAllowPrivate = true })
	tn := s.Tenant(t, "acme")
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/q", tn.Admin, model)
	s.MustJSON(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/q", tn.Write,
		`{"n":"PL","v":1,"d":"1.50","b":true,"ts":"2026-01-02T03:04:05Z","j":{"a":[1]}}`)
	s.MustJSON(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/q", tn.Write, `{"n":"DE","o":1}`)
	s.MustJSON(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/webhooks", tn.Admin,
		`{"url":"http://127.0.0.1:9/hook","events":["record.created"],"description":"d"}`)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/viewer", tn.Admin, viewerRole)
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/auth", tn.Admin,
		`{"jwt":{"algorithm":"HS256","secret":"`+tokenSecret+`"}}`)
	engine, ok := s.App.Handler.(*gin.Engine)
	if !ok {
		t.Fatalf("the handler is a %T, not the gin engine", s.App.Handler)
	}
	return &fixture{s: s, tenant: tn, routes: engine.Routes()}
}

// params fills every path parameter of a route with an object of the fixture. A route
// with a parameter missing here fails the walk, so a new route cannot go untested.
var params = map[string]string{
	":tenant":   "acme",
	":slug":     "acme",
	":model":    "q",
	":id":       "1",
	":field":    "n",
	":delivery": "1",
	":role":     "viewer",
}

// viewerRole is the fixture's custom role: it lists and reads q, records whose v is not 7.
const viewerRole = `{"permissions":{"q":{"list":{"filter":{"v__ne":7},"fields":"*"},"get":{"filter":{"v__ne":7},"fields":"*"}}}}`

// tokenSecret is the fixture tenant's HS256 secret for end-user tokens.
const tokenSecret = "hostile-walk-secret-of-at-least-32-bytes"

// path fills the route's parameters; ok is false for a parameter params lacks.
func path(route string) (string, bool) {
	parts := strings.Split(route, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") || strings.HasPrefix(p, "*") {
			v, ok := params[p]
			if !ok {
				return "", false
			}
			parts[i] = v
		}
	}
	return strings.Join(parts, "/"), true
}

// keyFor is the key a route takes: the platform key for /tenants, the tenant's admin
// key (which may do everything) for its routes, none elsewhere.
func (f *fixture) keyFor(route string) string {
	switch {
	case strings.HasPrefix(route, "/api/v1/tenants"):
		return f.s.AdminKey
	case strings.HasPrefix(route, "/api/v1/t/"):
		return f.tenant.Admin
	}
	return ""
}

// stableCodes are the codes a problem document may carry.
var stableCodes = []string{"invalid", "unauthorized", "forbidden", "not_found", "conflict",
	"precondition_failed", "too_large", "rate_limited", "unavailable", "method_not_allowed"}

// answer is what one request got.
type answer struct {
	status int
	header http.Header
	body   string
}

// hangAfter is how long a request may take before it counts as a hang.
const hangAfter = 20 * time.Second

// send runs req through the server, failing t when it does not answer in time.
func (f *fixture) send(t testing.TB, req *http.Request) answer {
	t.Helper()
	if strings.HasSuffix(req.URL.Path, "/changes") { // a change stream: whatever it sent in a moment
		ctx, cancel := context.WithTimeout(req.Context(), 300*time.Millisecond)
		defer cancel()
		req = req.WithContext(ctx)
	}
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() { done <- f.s.Serve(req) }()
	select {
	case rec := <-done:
		return answer{rec.Code, rec.Header(), rec.Body.String()}
	case <-time.After(hangAfter):
		t.Fatalf("%s %.200s: no answer after %s", req.Method, req.URL, hangAfter)
		return answer{}
	}
}

// checkProblem reports whatever makes a an answer that hostile input must not get:
// a 5xx, or an error that is not a problem document with a stable code.
func checkProblem(a answer) error {
	if a.status >= 500 {
		return fmt.Errorf("status %d: %.500s", a.status, a.body)
	}
	if a.status < 400 {
		return nil
	}
	if ct := a.header.Get("Content-Type"); ct != "application/problem+json" {
		return fmt.Errorf("status %d with Content-Type %q", a.status, ct)
	}
	var doc struct {
		Status int    `json:"status"`
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal([]byte(a.body), &doc); err != nil {
		return fmt.Errorf("status %d: the problem document does not parse: %v: %.500s", a.status, err, a.body)
	}
	if doc.Status != a.status || !slices.Contains(stableCodes, doc.Code) || doc.Detail == "" {
		return fmt.Errorf("status %d: not a problem document with a stable code: %.500s", a.status, a.body)
	}
	return nil
}

// state is everything a refused request could have changed, as the API shows it, less
// what reading changes by itself (a key's last use).
func (f *fixture) state(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	for _, get := range []struct{ path, key string }{
		{"/api/v1/tenants", f.s.AdminKey},
		{"/api/v1/tenants/acme", f.s.AdminKey}, // with its limits
		{"/api/v1/t/acme/keys", f.tenant.Admin},
		{"/api/v1/t/acme/schema", f.tenant.Admin},
		{"/api/v1/t/acme/schema/history", f.tenant.Admin},
		{"/api/v1/t/acme/data/q?limit=1000", f.tenant.Admin},
		{"/api/v1/t/acme/webhooks", f.tenant.Admin},
		{"/api/v1/t/acme/roles", f.tenant.Admin},
		{"/api/v1/t/acme/auth", f.tenant.Admin},
	} {
		rec := f.s.Do("GET", get.path, get.key, "")
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", get.path, rec.Code, rec.Body)
		}
		var v any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("GET %s: %v", get.path, err)
		}
		forget(v, "last_used_at", "consecutive_failures", "updated_at", "previous_secret_expires_at")
		out, _ := json.Marshal(v)
		fmt.Fprintf(&b, "%s %s\n", get.path, out)
	}
	return b.String()
}

// forget deletes the named members wherever they occur in v.
func forget(v any, names ...string) {
	switch v := v.(type) {
	case map[string]any:
		for _, n := range names {
			delete(v, n)
		}
		for _, x := range v {
			forget(x, names...)
		}
	case []any:
		for _, x := range v {
			forget(x, names...)
		}
	}
}

// request builds a request with a raw body (nil for none) and the route's key.
func (f *fixture) request(method, route, query string, body *string) *http.Request {
	p, _ := path(route)
	var req *http.Request
	if body == nil {
		req = httptest.NewRequest(method, "http://forma.test"+p, nil)
	} else {
		req = httptest.NewRequest(method, "http://forma.test"+p, strings.NewReader(*body))
	}
	req.URL.RawQuery = query
	if k := f.keyFor(route); k != "" {
		req.Header.Set("Authorization", "Bearer "+k)
	}
	return req
}
