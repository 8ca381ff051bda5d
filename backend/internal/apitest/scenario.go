package apitest

import (
	"net/http"
	"strings"
	"testing"
)

// Scenario is one request and what its answer must hold.
type Scenario struct {
	Name   string
	Method string
	Path   string
	Key    string // the bearer key; "" sends none
	Body   string
	Status int
	// Contains are fragments the body must contain, e.g. `"code":"not_found"`.
	Contains []string
	// Excludes are fragments the body must not contain, e.g. another tenant's slug.
	Excludes []string
}

// Run runs the scenarios in order (they may depend on each other) as subtests. Every
// answer with status 400 or more must be an application/problem+json document.
func Run(t *testing.T, s *Server, scenarios []Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		name := sc.Name
		if name == "" {
			name = sc.Method + " " + sc.Path
		}
		t.Run(name, func(t *testing.T) {
			rec := s.Do(sc.Method, sc.Path, sc.Key, sc.Body)
			body := rec.Body.String()
			if rec.Code != sc.Status {
				t.Fatalf("%s %s: status %d, want %d\n%s", sc.Method, sc.Path, rec.Code, sc.Status, body)
			}
			if ct := rec.Header().Get("Content-Type"); rec.Code >= http.StatusBadRequest && ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			for _, want := range sc.Contains {
				if !strings.Contains(body, want) {
					t.Errorf("body lacks %s\n%s", want, body)
				}
			}
			for _, bad := range sc.Excludes {
				if strings.Contains(body, bad) {
					t.Errorf("body contains %s\n%s", bad, body)
				}
			}
		})
	}
}
