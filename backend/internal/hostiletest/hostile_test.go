package hostiletest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Every route, with every kind of hostile input, answers a problem document with a
// stable code (never a 5xx or a hang), refuses what must be refused, and stores nothing.
func TestEveryRouteRefusesHostileInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	before := f.state(t)

	routesWithBody := map[string]bool{}
	for _, r := range f.routes {
		if _, ok := path(r.Path); !ok {
			t.Fatalf("%s %s: the walk has no value for one of its parameters; add it to params", r.Method, r.Path)
		}
		if r.Method == "POST" || r.Method == "PUT" || r.Method == "PATCH" {
			routesWithBody[r.Method+" "+r.Path] = true
		}
	}
	for _, table := range []map[string][]string{nearValid, duplicateMembers, otherRefusals} {
		for route := range table {
			if !routesWithBody[route] {
				t.Errorf("the input tables name %s, which is not a route that takes a body", route)
			}
		}
	}

	t.Run("hostile values in near-valid bodies", func(t *testing.T) {
		for route, templates := range nearValid {
			method, pattern, _ := strings.Cut(route, " ")
			for _, tmpl := range templates {
				for name, s := range hostileStrings {
					if name == "one megabyte" && strings.Contains(tmpl, `"j"`) {
						continue // a json value has no length bound of its own
					}
					body := fmt.Sprintf(tmpl, s)
					f.mustRefuse(t, f.request(method, pattern, "", &body), name+" in "+abbrev(tmpl))
				}
			}
		}
	})
	t.Run("duplicate members", func(t *testing.T) {
		for route, bodies := range duplicateMembers {
			method, pattern, _ := strings.Cut(route, " ")
			for _, body := range bodies {
				f.mustRefuse(t, f.request(method, pattern, "", &body), abbrev(body))
			}
		}
	})
	t.Run("other refusals", func(t *testing.T) {
		for route, bodies := range otherRefusals {
			method, pattern, _ := strings.Cut(route, " ")
			for _, body := range bodies {
				f.mustRefuse(t, f.request(method, pattern, "", &body), abbrev(body))
			}
		}
	})
	t.Run("malformed bodies", func(t *testing.T) {
		for route := range routesWithBody {
			method, pattern, _ := strings.Cut(route, " ")
			_, readsBody := nearValid[route]
			for name, body := range malformedBodies {
				req := f.request(method, pattern, "", &body)
				if readsBody {
					f.mustRefuse(t, req, name)
				} else {
					f.mustAnswer(t, req, name)
				}
			}
		}
	})
	t.Run("undecodable query strings", func(t *testing.T) {
		for _, r := range f.routes {
			if !strings.HasPrefix(r.Path, "/api/") {
				continue
			}
			for _, q := range undecodableQueries {
				a := f.mustAnswer(t, f.request(r.Method, r.Path, q, nil), "?"+q)
				if a.status != http.StatusBadRequest {
					t.Errorf("%s %s?%s: status %d, want 400: %.300s", r.Method, r.Path, q, a.status, a.body)
				}
			}
		}
	})
	t.Run("mangled query parameters", func(t *testing.T) {
		for _, r := range f.routes {
			for _, q := range mangledQueries {
				f.mustAnswer(t, f.request(r.Method, r.Path, q, nil), "?"+abbrev(q))
			}
		}
	})
	t.Run("mangled headers", func(t *testing.T) {
		for _, r := range f.routes {
			for _, h := range mangledHeaders {
				if h[0] != "Authorization" && r.Method != "GET" && !readsConditions(r.Path) {
					continue // a write that reads neither header would simply happen
				}
				req := f.request(r.Method, r.Path, "", nil)
				req.Header.Set(h[0], h[1])
				if h[0] == "Authorization" {
					// Failed authentications are limited per address: these come from
					// one of their own, so the other requests of the walk are not refused.
					req.RemoteAddr = "198.51.100.7:4000"
				}
				a := f.mustAnswer(t, req, h[0]+": "+abbrev(h[1]))
				if h[0] == "Authorization" && f.keyFor(r.Path) != "" &&
					a.status != http.StatusUnauthorized && a.status != http.StatusTooManyRequests {
					t.Errorf("%s %s with Authorization %.40s: status %d, want 401 or 429", r.Method, r.Path, h[1], a.status)
				}
			}
		}
	})
	t.Run("made-up methods", func(t *testing.T) {
		for _, r := range f.routes {
			for _, m := range []string{"BREWX", "PROPFIND", "TRACE", "CONNECTX"} {
				a := f.mustAnswer(t, f.request(m, r.Path, "", nil), m)
				if a.status != http.StatusMethodNotAllowed && a.status != http.StatusNotFound {
					t.Errorf("%s %s: status %d, want 405 or 404", m, r.Path, a.status)
				}
			}
		}
	})

	if after := f.state(t); after != before {
		t.Errorf("hostile requests changed what is stored:\n%s", changed(before, after))
	}
}

// readsConditions reports whether a route's writes read If-Match and
// Forma-Schema-Version, so that a mangled one stops them.
func readsConditions(route string) bool {
	return strings.Contains(route, "/data/") || strings.Contains(route, "/models/")
}

// mustAnswer sends req and fails t unless the answer is acceptable for hostile input.
func (f *fixture) mustAnswer(t *testing.T, req *http.Request, what string) answer {
	t.Helper()
	route := req.Method + " " + req.URL.Path
	a := f.send(t, req)
	if err := checkProblem(a); err != nil {
		t.Errorf("%s (%s): %v", route, what, err)
	}
	return a
}

// mustRefuse is mustAnswer for input that must not be taken: the answer is a 4xx.
func (f *fixture) mustRefuse(t *testing.T, req *http.Request, what string) {
	t.Helper()
	a := f.mustAnswer(t, req, what)
	if a.status < 400 {
		t.Errorf("%s %s (%s): status %d, want a refusal: %.300s", req.Method, req.URL.Path, what, a.status, a.body)
	}
}

// abbrev shortens an input for a failure message.
func abbrev(s string) string {
	if len(s) > 300 {
		return fmt.Sprintf("%s… (%d bytes)", s[:300], len(s))
	}
	return s
}

// changed lists, shortened, the lines of after that differ from before.
func changed(before, after string) string {
	was := strings.Split(before, "\n")
	var out []string
	for i, line := range strings.Split(after, "\n") {
		if i >= len(was) || line != was[i] {
			out = append(out, "was: "+abbrev(was[min(i, len(was)-1)])+"\nnow: "+abbrev(line))
		}
	}
	return strings.Join(out, "\n")
}
