package main

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/valyala/fasthttp"
)

func TestParseTenants(t *testing.T) {
	t.Parallel()
	got, err := parseTenants(strings.NewReader("# slug key\n\nbt0 fk_a\n  bt1\tfk_b  \n"))
	if err != nil || len(got) != 2 || got[0] != (tenantKey{"bt0", "fk_a"}) || got[1] != (tenantKey{"bt1", "fk_b"}) {
		t.Fatalf("got %v, %v", got, err)
	}
	for _, bad := range []string{
		"",                     // no tenants
		"# only a comment\n",   // no tenants
		"bt0\n",                // no key
		"bt0 fk_a extra\n",     // a field too many
		"bt0 fk_a\nbt0 fk_b\n", // a slug twice
		"Bad-Slug fk_a\n",      // not a slug Forma accepts
		"select fk_a\n",        // a reserved word
	} {
		if tk, err := parseTenants(strings.NewReader(bad)); err == nil {
			t.Errorf("%q: no error, got %v", bad, tk)
		}
	}
}

// TestPickSpreadsOverTenants checks that with several tenants every one is drawn, about
// equally often, and the request carries the drawn tenant's key; with one, no key is set
// per request and no random number drawn.
func TestPickSpreadsOverTenants(t *testing.T) {
	t.Parallel()
	const n, draws = 10, 20000
	l := &loader{}
	for i := range n {
		l.targets = append(l.targets, newTarget("http://h", "bt"+string(rune('a'+i)), "fk_"+string(rune('a'+i)), "event", []string{"PL"}, ""))
	}
	rng := rand.New(rand.NewPCG(1, 2))
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	count := map[string]int{}
	for range draws {
		tg := l.pick(rng, req)
		slug := strings.Split(strings.TrimPrefix(tg.data, "http://h/api/v1/t/"), "/")[0]
		if got := string(req.Header.Peek("Authorization")); got != "Bearer fk_"+slug[2:] {
			t.Fatalf("tenant %s sent with %q", slug, got)
		}
		count[slug]++
	}
	for slug, c := range count {
		if c < draws/n*8/10 || c > draws/n*12/10 {
			t.Errorf("tenant %s drawn %d times of %d, want about %d", slug, c, draws, draws/n)
		}
	}
	if len(count) != n {
		t.Errorf("%d tenants drawn, want %d", len(count), n)
	}

	one := &loader{targets: l.targets[:1]}
	src := rand.NewPCG(3, 4)
	before := *src
	req.Header.Del("Authorization")
	if one.pick(rand.New(src), req) != &one.targets[0] || len(req.Header.Peek("Authorization")) != 0 || *src != before {
		t.Error("one tenant: pick drew a number or set the key")
	}
}

// TestTenantsFileSpreadsTheCases runs each case over a tenants file against a server
// that checks every request's key is its tenant's, and that several tenants are reached.
func TestTenantsFileSpreadsTheCases(t *testing.T) {
	t.Parallel()
	const tenants = 5
	var mu sync.Mutex
	reached := map[string]map[string]bool{} // case -> tenants
	var problems []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(r.URL.Path, "/") // "", api, v1, t, slug, data, event, ...
		slug := parts[4]
		kase := map[string]string{"POST": "create", "GET": "list"}[r.Method]
		if len(parts) == 8 {
			kase = "get"
		}
		mu.Lock()
		defer mu.Unlock()
		if r.Header.Get("Authorization") != "Bearer fk_"+slug {
			problems = append(problems, r.URL.Path+" with "+r.Header.Get("Authorization"))
			w.WriteHeader(401)
			return
		}
		if reached[kase] == nil {
			reached[kase] = map[string]bool{}
		}
		reached[kase][slug] = true
		_, _ = w.Write([]byte(`{}`))
	}))
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "tenants")
	var lines []string
	for i := range tenants {
		s := "bt" + string(rune('0'+i))
		lines = append(lines, s+" fk_"+s)
	}
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, kase := range []string{"get", "list", "create"} {
		o, err := parseFlags([]string{"-url", srv.URL, "-tenants", file, "-case", kase, "-c", "3",
			"-duration", "200ms", "-warmup", "20ms", "-id-max", "100"})
		if err != nil {
			t.Fatal(err)
		}
		l, err := newLoader(o)
		if err != nil {
			t.Fatal(err)
		}
		l.bodies = eventBodies(o.countries)
		next := map[string]func(*rand.Rand, *fasthttp.Request){"get": l.get, "list": l.list, "create": l.create}[kase]
		if res, err := l.measure(next); err != nil {
			t.Fatalf("%s: %+v %v", kase, res, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Fatalf("requests with another tenant's key, e.g. %s", problems[0])
	}
	for _, kase := range []string{"get", "list", "create"} {
		if len(reached[kase]) != tenants {
			t.Errorf("%s reached %d tenants of %d", kase, len(reached[kase]), tenants)
		}
	}
}

// TestSetupCreatesTenants runs the setup case against a fake API and reads back the
// tenants file it writes.
func TestSetupCreatesTenants(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	rows := map[string]int{}    // slug -> events posted
	models := map[string]bool{} // slug -> model applied
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		parts := strings.Split(r.URL.Path, "/")
		switch {
		case r.Method == "POST" && r.URL.Path == "/api/v1/tenants" && r.Header.Get("Authorization") == "Bearer fa_admin":
			var in struct{ Slug string }
			_ = json.Unmarshal(body, &in)
			_, _ = w.Write([]byte(`{"tenant":{"slug":"` + in.Slug + `"},"key":{"key":"fk_` + in.Slug + `"}}`))
		case r.Method == "PUT" && len(parts) == 7 && parts[5] == "models" && string(body) == `{"name":"event"}` &&
			r.Header.Get("Authorization") == "Bearer fk_"+parts[4]:
			models[parts[4]] = true
		case r.Method == "POST" && len(parts) == 7 && parts[5] == "data" && models[parts[4]] &&
			r.Header.Get("Authorization") == "Bearer fk_"+parts[4]:
			var events []map[string]any
			if json.Unmarshal(body, &events) != nil {
				w.WriteHeader(400)
				return
			}
			rows[parts[4]] += len(events)
		default:
			w.WriteHeader(400)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	def, out := filepath.Join(dir, "model.json"), filepath.Join(dir, "tenants")
	if err := os.WriteFile(def, []byte(`{"name":"event"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := parseFlags([]string{"-url", srv.URL, "-case", "setup", "-admin-key", "fa_admin", "-n", "12",
		"-prefix", "bt", "-definition", def, "-out", out, "-rows", "25", "-batch", "10", "-c", "4"})
	if err != nil {
		t.Fatal(err)
	}
	if err := run(o); err != nil {
		t.Fatal(err)
	}
	tks, err := readTenants(out)
	if err != nil || len(tks) != 12 || tks[11] != (tenantKey{"bt11", "fk_bt11"}) {
		t.Fatalf("tenants file: %v %v", tks, err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, tk := range tks {
		if rows[tk.slug] != 25 {
			t.Errorf("%s: %d rows, want 25", tk.slug, rows[tk.slug])
		}
	}
}
