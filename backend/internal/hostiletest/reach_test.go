package hostiletest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
)

// A custom role's key and an end-user token acting as it reach what the role's rules
// allow and nothing else, on every tenant route there is: a route added later is walked
// too. A token whose role the tenant did not allow, or that is not signed with the
// tenant's secret, reaches nothing.
func TestCustomRolesAndTokensReachOnlyWhatTheyMay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var key struct{ Key string }
	f.s.MustJSON(t, http.StatusCreated, &key, "POST", "/api/v1/t/acme/keys", f.tenant.Admin, `{"name":"app","role":"viewer"}`)
	exp := time.Now().Add(time.Hour).Unix()
	callers := map[string]string{
		"viewer key":   key.Key,
		"viewer token": apitest.HS256(t, tokenSecret, map[string]any{"sub": "u1", "role": "viewer", "exp": exp}),
	}
	refused := map[string]struct {
		key  string
		code int
	}{
		"admin token":        {apitest.HS256(t, tokenSecret, map[string]any{"sub": "u1", "role": "admin", "exp": exp}), http.StatusForbidden},
		"token of another":   {apitest.HS256(t, strings.Repeat("x", 40), map[string]any{"sub": "u1", "role": "viewer", "exp": exp}), http.StatusUnauthorized},
		"expired token":      {apitest.HS256(t, tokenSecret, map[string]any{"sub": "u1", "role": "viewer", "exp": time.Now().Add(-time.Hour).Unix()}), http.StatusUnauthorized},
		"token without role": {apitest.HS256(t, tokenSecret, map[string]any{"sub": "u1", "exp": exp}), http.StatusForbidden},
	}
	// what the viewer role may do: list and read q, and the routes every role has
	allowed := map[string]bool{
		"GET /api/v1/t/:tenant":                    true,
		"GET /api/v1/t/:tenant/openapi.json":       true,
		"GET /api/v1/t/:tenant/data/:model":        true,
		"GET /api/v1/t/:tenant/data/:model/:id":    true,
		"GET /api/v1/t/:tenant/data/:model/export": true,
	}
	allowed["GET /api/v1/t/:tenant/data/:model/aggregate"] = true
	before := f.state(t)
	walked := 0
	for _, r := range f.routes {
		if !strings.HasPrefix(r.Path, "/api/v1/t/") {
			continue
		}
		walked++
		body := `{"n":"PL"}`
		for who, k := range callers {
			a := f.send(t, f.as(r.Method, r.Path, k, body))
			switch want := allowed[r.Method+" "+r.Path]; {
			case want && a.status != http.StatusOK:
				t.Errorf("%s %s as %s: %d, want 200: %.300s", r.Method, r.Path, who, a.status, a.body)
			case !want && a.status != http.StatusForbidden:
				t.Errorf("%s %s as %s: %d, want 403: %.300s", r.Method, r.Path, who, a.status, a.body)
			}
		}
		for who, c := range refused {
			if a := f.send(t, f.as(r.Method, r.Path, c.key, body)); a.status != c.code {
				t.Errorf("%s %s as %s: %d, want %d: %.300s", r.Method, r.Path, who, a.status, c.code, a.body)
			}
		}
	}
	if walked < 30 {
		t.Fatalf("walked %d tenant routes: the router lost some", walked)
	}
	if after := f.state(t); after != before {
		t.Errorf("the walk changed the tenant:\nbefore %s\nafter  %s", before, after)
	}
}

// as builds a request to route with key as the bearer, and body for methods that take one.
// Each comes from an address of its own: the walk's refused tokens are failed
// authentications, and from one address they would soon be refused as too many.
func (f *fixture) as(method, route, key, body string) *http.Request {
	var b *string
	if method == "POST" || method == "PUT" || method == "PATCH" {
		b = &body
	}
	req := f.request(method, route, "", b)
	req.Header.Set("Authorization", "Bearer "+key)
	f.clients++
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", f.clients>>16&255, f.clients>>8&255, f.clients&255)
	return req
}
