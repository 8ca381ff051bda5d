package httpapi_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/httpapi"
)

func TestUserMistakesAreClearProblems(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	pk := s.AdminKey
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "unknown route", Method: "GET", Path: "/api/v1/nope", Status: 404,
			Contains: []string{`"type":"about:blank"`, `"title":"Not Found"`, `"status":404`, `"code":"not_found"`}},
		{Name: "unknown tenant subroute", Method: "GET", Path: "/api/v1/t/acme/nope", Key: acme.Admin, Status: 404},
		{Name: "method not allowed", Method: "PUT", Path: "/api/v1/tenants", Key: pk, Status: 405,
			Contains: []string{`"status":405`}},
		{Name: "malformed JSON", Method: "POST", Path: "/api/v1/tenants", Key: pk, Body: `{"slug":`, Status: 400,
			Contains: []string{`"code":"invalid"`, `malformed JSON`}},
		{Name: "bad JSON token", Method: "POST", Path: "/api/v1/tenants", Key: pk, Body: `{slug: acme}`, Status: 400,
			Contains: []string{`malformed JSON at byte`}},
		{Name: "empty body", Method: "POST", Path: "/api/v1/tenants", Key: pk, Status: 400, Contains: []string{`empty`}},
		{Name: "two values", Method: "POST", Path: "/api/v1/tenants", Key: pk, Body: `{"slug":"a1"} {"slug":"a2"}`, Status: 400,
			Contains: []string{`exactly one JSON value`}},
		{Name: "array instead of object", Method: "POST", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Body: `[1]`, Status: 400},
		{Name: "oversized body", Method: "POST", Path: "/api/v1/tenants", Key: pk,
			Body: `{"slug":"big","name":"` + strings.Repeat("x", httpapi.DefaultMaxBodyBytes) + `"}`, Status: 413,
			Contains: []string{`"code":"too_large"`}},
	})
}

func TestOversizedBodyWithoutContentLengthIs413(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	body := `{"slug":"big","name":"` + strings.Repeat("x", httpapi.DefaultMaxBodyBytes) + `"}`
	req := httptest.NewRequest("POST", "/api/v1/tenants", strings.NewReader(body))
	req.ContentLength = -1 // streamed: only the reader can tell
	req.Header.Set("Authorization", "Bearer "+s.AdminKey)
	rec := httptest.NewRecorder()
	s.App.Handler.ServeHTTP(rec, req)
	if rec.Code != 413 || !strings.Contains(rec.Body.String(), `"too_large"`) {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

func TestTheDesignerIsServedOutsideTheAPI(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	for _, path := range []string{"/", "/models/event"} {
		rec := s.Do("GET", path, "", "")
		// 200 with the built designer, 503 "run make web" without it: never a problem+json 404.
		if rec.Code != 200 && rec.Code != 503 || strings.Contains(rec.Header().Get("Content-Type"), "problem") {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if rec := s.Do("GET", "/api/v1/nope", "", ""); rec.Code != 404 {
		t.Errorf("unknown API route: %d", rec.Code)
	}
	if rec := s.Do("POST", "/", "", "{}"); rec.Code != 404 {
		t.Errorf("POST /: %d", rec.Code)
	}
}
