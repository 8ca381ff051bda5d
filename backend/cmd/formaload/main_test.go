package main

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestCasesSendTheRequestsTheyDescribe runs each case briefly against a server that
// checks every request, as the shared URLs, headers and bodies must look.
func TestCasesSendTheRequestsTheyDescribe(t *testing.T) {
	t.Parallel()
	const data = "/api/v1/t/bench/data/event"
	var mu sync.Mutex
	seen := map[string]map[string]bool{} // case -> distinct request lines and bodies
	var problems []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		kase, bad := check(r, body, data)
		mu.Lock()
		defer mu.Unlock()
		if bad != "" {
			problems = append(problems, bad)
			w.WriteHeader(400)
			return
		}
		if seen[kase] == nil {
			seen[kase] = map[string]bool{}
		}
		seen[kase][r.URL.RequestURI()+" "+string(body)] = true
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":1,"padding":"` + strings.Repeat("x", 40<<10) + `"}`)) // more than one read buffer
	}))
	defer srv.Close()
	for _, kase := range []string{"get", "list", "create"} {
		o, err := parseFlags([]string{"-url", srv.URL, "-key", "fk_k", "-case", kase, "-c", "3",
			"-duration", "300ms", "-warmup", "50ms", "-id-max", "50"})
		if err != nil {
			t.Fatal(err)
		}
		l, err := newLoader(o)
		if err != nil {
			t.Fatal(err)
		}
		l.bodies = eventBodies(o.countries)
		next := map[string]func(*rand.Rand, *fasthttp.Request){"get": l.get, "list": l.list, "create": l.create}[kase]
		res, err := l.measure(next)
		if err != nil || res.Requests < 10 || res.RPS <= 0 {
			t.Fatalf("%s: %+v %v", kase, res, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("bad requests, e.g. %s", problems[0])
	}
	for _, kase := range []string{"get", "list", "create"} {
		if len(seen[kase]) < 4 { // random ids, countries and bodies
			t.Errorf("%s: only %d distinct requests: %v", kase, len(seen[kase]), seen[kase])
		}
	}
}

// check returns the case a request belongs to, or what is wrong with it.
func check(r *http.Request, body []byte, data string) (kase, bad string) {
	if r.Header.Get("Authorization") != "Bearer fk_k" {
		return "", "no key: " + r.Method + " " + r.URL.String()
	}
	switch {
	case r.Method == "GET" && strings.HasPrefix(r.URL.Path, data+"/"):
		id, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, data+"/"))
		if err != nil || id < 1 || id > 50 || r.URL.RawQuery != "" {
			return "", "get: " + r.URL.String()
		}
		return "get", ""
	case r.Method == "GET" && r.URL.Path == data:
		q := r.URL.Query()
		if !strings.Contains("PL,DE,US,GB", q.Get("country")) || len(q.Get("country")) != 2 ||
			r.URL.RawQuery != "country="+q.Get("country")+"&sort=-timestamp&limit=20" {
			return "", "list: " + r.URL.String()
		}
		return "list", ""
	case r.Method == "POST" && r.URL.Path == data:
		var e struct {
			Country, Source string
			Value           *int
		}
		if r.Header.Get("Content-Type") != "application/json" || r.ContentLength != int64(len(body)) ||
			json.Unmarshal(body, &e) != nil || len(e.Country) != 2 || e.Source == "" || e.Value == nil || *e.Value >= maxValue {
			return "", "create: " + string(body)
		}
		return "create", ""
	}
	return "", "unexpected: " + r.Method + " " + r.URL.String()
}
