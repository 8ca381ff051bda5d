package httpapi_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/httpapi"
	"forma.dev/backend/internal/limits"
)

// tenantLimits sets every tenant's default limits.
func tenantLimits(set map[limits.Name]int64) func(*config.Config) {
	return func(c *config.Config) {
		for n, v := range set {
			c.TenantLimits[n] = v
		}
	}
}

func TestPatchTenantLimitsNamesEveryBadValue(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	s.Tenant(t, "acme")
	pk := s.AdminKey
	bad := `{"limits":{"requests_per_second":-1,"concurrent_requests":0,"statement_timeout_ms":1.5,"models":"10",
		"fields_per_model":1601,"rows_per_model":true,"bulk_rows":99999999999999999999,"storage_bytes":{},
		"nope":1,"models_per_second":null,"requests_per_second":2},"name":"x"}`
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "every bad value", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: strings.Replace(bad, `,"requests_per_second":2`, "", 1),
			Status: 400, Contains: []string{
				`"path":"limits.requests_per_second","code":"min"`, `"path":"limits.concurrent_requests","code":"min"`,
				`"path":"limits.statement_timeout_ms","code":"invalid_type"`, `"path":"limits.models","code":"invalid_type"`,
				`"path":"limits.fields_per_model","code":"max"`, `"path":"limits.rows_per_model","code":"invalid_type"`,
				`"path":"limits.bulk_rows","code":"max"`, `"path":"limits.storage_bytes","code":"invalid_type"`,
				`"path":"limits.nope","code":"unknown_field"`, `"path":"limits.models_per_second","code":"unknown_field"`,
				`"path":"name","code":"unknown_field"`}},
		{Name: "a member twice", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: bad, Status: 400,
			Contains: []string{`"code":"duplicate"`}},
		{Name: "exponent", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: `{"limits":{"models":1e3}}`,
			Status: 400, Contains: []string{`"path":"limits.models","code":"invalid_type"`}},
		{Name: "too negative", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: `{"limits":{"models":-99999999999999999999}}`,
			Status: 400, Contains: []string{`"path":"limits.models","code":"min"`}},
		{Name: "null limits", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: `{"limits":null}`,
			Status: 400, Contains: []string{`"path":"limits","code":"invalid_type"`}},
		{Name: "no limits", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: `{}`,
			Status: 400, Contains: []string{`"path":"limits","code":"required"`}},
		{Name: "an array", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: `[]`, Status: 400},
		{Name: "unknown tenant", Method: "PATCH", Path: "/api/v1/tenants/nobody", Key: pk, Body: `{"limits":{}}`, Status: 404},
		{Name: "nothing changed by the refusals", Method: "GET", Path: "/api/v1/tenants/acme", Key: pk, Status: 200,
			Contains: []string{`"own_limits":{}`}},
	})
}

func TestTenantLimitsDefaultsOwnAndReset(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, tenantLimits(map[limits.Name]int64{limits.Models: 50, limits.StorageBytes: 0}))
	acme := s.Tenant(t, "acme")
	pk := s.AdminKey
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "defaults", Method: "GET", Path: "/api/v1/tenants/acme", Key: pk, Status: 200,
			Contains: []string{`"slug":"acme"`, `"models":50,`, `"storage_bytes":null`, `"requests_per_second":1000,`, `"own_limits":{}`}},
		{Name: "own", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk,
			Body: `{"limits":{"requests_per_second":200,"models":7,"storage_bytes":10737418240}}`, Status: 200,
			Contains: []string{`"requests_per_second":200,`, `"models":7,`, `"storage_bytes":10737418240}`,
				`"own_limits":{"requests_per_second":200,"models":7,"storage_bytes":10737418240}`}},
		{Name: "a tenant key sees them", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Read, Status: 200,
			Contains: []string{`"requests_per_second":200,`, `"own_limits":{"requests_per_second":200,"models":7,`,
				`"usage":{`, `"models":0`, `"storage_bytes":`}},
		{Name: "null resets one, the others stay", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk,
			Body: `{"limits":{"models":null,"bulk_rows":5}}`, Status: 200,
			Contains: []string{`"models":50,`, `"own_limits":{"requests_per_second":200,"bulk_rows":5,"storage_bytes":10737418240}`}},
		{Name: "shown again", Method: "GET", Path: "/api/v1/tenants/acme", Key: pk, Status: 200,
			Contains: []string{`"own_limits":{"requests_per_second":200,"bulk_rows":5,"storage_bytes":10737418240}`}},
		{Name: "all reset", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk,
			Body: `{"limits":{"requests_per_second":null,"bulk_rows":null,"storage_bytes":null}}`, Status: 200,
			Contains: []string{`"own_limits":{}`, `"requests_per_second":1000,`}},
		{Name: "the key sees the reset at once", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Read, Status: 200,
			Contains: []string{`"own_limits":{}`, `"models":50,`}},
		{Name: "tenant keys may not", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: acme.Admin,
			Body: `{"limits":{"models":1000}}`, Status: 403},
	})
}

func TestUsageCountsModelsRowsAndStorage(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `[{"country":"PL"},{"country":"DE"}]`)
	if _, err := s.App.DB.Exec(`ANALYZE t1_acme.event`); err != nil {
		t.Fatal(err)
	}
	var me struct {
		Usage struct {
			Models       int               `json:"models"`
			RowsPerModel map[string]*int64 `json:"rows_per_model"`
			StorageBytes int64             `json:"storage_bytes"`
		} `json:"usage"`
	}
	s.MustJSON(t, 200, &me, "GET", "/api/v1/t/acme", acme.Read, "")
	if u := me.Usage; u.Models != 1 || u.RowsPerModel["event"] == nil || *u.RowsPerModel["event"] != 2 || u.StorageBytes < 8192 {
		t.Fatalf("usage: %+v (rows %v)", u, u.RowsPerModel["event"])
	}
}

// Past its requests per second, a tenant is answered 429 with Retry-After and the
// RateLimit headers; another tenant is not.
func TestRequestsPerSecondAnswers429WithHeaders(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, tenantLimits(map[limits.Name]int64{limits.RequestsPerSecond: 1000}))
	acme, bolt := s.Tenant(t, "acme"), s.Tenant(t, "bolt")
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"requests_per_second":5}}`)
	ok, refused := 0, 0
	var last *http.Response
	start := time.Now()
	for range 20 {
		rec := s.Do("GET", "/api/v1/t/acme/keys", acme.Admin, "")
		switch rec.Code {
		case 200:
			ok++
		case 429:
			refused++
			last = rec.Result()
			if !strings.Contains(rec.Body.String(), `"code":"rate_limited"`) || !strings.Contains(rec.Body.String(), "requests_per_second") {
				t.Fatalf("429 body: %s", rec.Body)
			}
		default:
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	// The burst of 5, and one more for each fifth of a second the loop took.
	if most := 5 + int(time.Since(start)/(200*time.Millisecond)); ok < 5 || ok > most || refused == 0 {
		t.Fatalf("%d allowed, %d refused; want from 5 to %d allowed, and refusals", ok, refused, most)
	}
	if ra, _ := strconv.Atoi(last.Header.Get("Retry-After")); ra < 1 {
		t.Errorf("Retry-After %q", last.Header.Get("Retry-After"))
	}
	if p := last.Header.Get("RateLimit-Policy"); p != `"tenant";q=5;w=1` {
		t.Errorf("RateLimit-Policy %q", p)
	}
	if h := last.Header.Get("RateLimit"); !strings.HasPrefix(h, `"tenant";r=0;t=`) {
		t.Errorf("RateLimit %q", h)
	}
	for range 20 {
		if rec := s.Do("GET", "/api/v1/t/bolt", bolt.Read, ""); rec.Code != 200 {
			t.Fatalf("another tenant: %d %s", rec.Code, rec.Body)
		}
	}
}

// blockedBody is a request body that says when the handler first reads it (the request
// is past the limits then) and sends nothing until released.
type blockedBody struct {
	reading chan<- struct{}
	once    *sync.Once
	release <-chan struct{}
}

func (b blockedBody) Read(p []byte) (int, error) {
	b.once.Do(func() { b.reading <- struct{}{} })
	<-b.release
	return 0, io.EOF
}

// holdRequests sends n POSTs to path whose bodies hold them in their handlers, and
// returns once all n are there (the test fails if they are not within 10 s). release
// lets them end and returns their statuses: 400, an empty body.
func holdRequests(t *testing.T, s *apitest.Server, n int, path, key string) (release func() []int) {
	t.Helper()
	free := make(chan struct{})
	reading := make(chan struct{}, n)
	var wg sync.WaitGroup
	held := make([]int, n)
	for i := range held {
		req := s.Request("POST", path, key, "")
		req.Body = io.NopCloser(blockedBody{reading: reading, once: new(sync.Once), release: free})
		req.ContentLength = -1
		wg.Go(func() { held[i] = s.Serve(req).Code })
	}
	release = func() []int {
		close(free)
		wg.Wait()
		return held
	}
	for range held {
		select {
		case <-reading:
		case <-time.After(10 * time.Second):
			t.Fatalf("the held requests did not reach their handlers: %v", release())
		}
	}
	return release
}

// Requests held open count against concurrent_requests: one more is a 429 until one ends.
func TestConcurrentRequestsAnswers429WhileRequestsAreHeld(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"concurrent_requests":2}}`)
	// Only once both are in their handlers: a request sent before could take a place
	// one of them needs.
	release := holdRequests(t, s, 2, "/api/v1/t/acme/data/event", acme.Write)
	rec := s.Do("GET", "/api/v1/t/acme", acme.Read, "")
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), "concurrent_requests") ||
		rec.Header().Get("RateLimit-Policy") != `"concurrent";q=2;w=1` {
		t.Fatalf("with 2 held: %d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	if held := release(); held[0] != 400 || held[1] != 400 { // an empty body: the point was to hold them
		t.Fatalf("held requests answered %v", held)
	}
	if rec := s.Do("GET", "/api/v1/t/acme", acme.Read, ""); rec.Code != 200 {
		t.Fatalf("after they ended: %d %s", rec.Code, rec.Body)
	}
}

func TestQuotasAnswer409AndLoseNothing(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	pk, ak := s.AdminKey, acme.Admin
	model := func(n int) string {
		f := make([]string, n)
		for i := range f {
			f[i] = `{"name":"f` + strconv.Itoa(i) + `","type":"integer"}`
		}
		return `{"fields":[` + strings.Join(f, ",") + `]}`
	}
	three := `[{"country":"PL"},{"country":"DE"},{"country":"US"}]`
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a", Method: "PUT", Path: "/api/v1/t/acme/models/a", Key: ak, Body: model(3), Status: 200},
		{Name: "b", Method: "PUT", Path: "/api/v1/t/acme/models/b", Key: ak, Body: model(1), Status: 200},
		{Name: "lower the quotas", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk,
			Body: `{"limits":{"models":1,"fields_per_model":2,"bulk_rows":2}}`, Status: 200},
		{Name: "a third model", Method: "PUT", Path: "/api/v1/t/acme/models/c", Key: ak, Body: model(1), Status: 409,
			Contains: []string{`"code":"quota_exceeded"`, `"limit":"models"`, `"max":1`}},
		{Name: "its dry run too", Method: "POST", Path: "/api/v1/t/acme/models/c/plan", Key: ak, Body: model(1), Status: 409,
			Contains: []string{`"limit":"models"`}},
		{Name: "a snapshot with more", Method: "PUT", Path: "/api/v1/t/acme/schema", Key: ak,
			Body: `{"models":[{"name":"a","fields":[]},{"name":"b","fields":[]},{"name":"c","fields":[]}]}`, Status: 409,
			Contains: []string{`"limit":"models"`}},
		{Name: "nothing lost: both models stay", Method: "GET", Path: "/api/v1/t/acme/models", Key: ak, Status: 200,
			Contains: []string{`"name":"a"`, `"name":"b"`}},
		{Name: "a field more on a model over the quota", Method: "POST", Path: "/api/v1/t/acme/models/a/fields", Key: ak,
			Body: `{"name":"g","type":"integer"}`, Status: 409, Contains: []string{`"limit":"fields_per_model"`, `"max":2`}},
		{Name: "a field more under it", Method: "POST", Path: "/api/v1/t/acme/models/b/fields", Key: ak,
			Body: `{"name":"g","type":"integer"}`, Status: 201},
		{Name: "a third field", Method: "POST", Path: "/api/v1/t/acme/models/b/fields", Key: ak,
			Body: `{"name":"h","type":"integer"}`, Status: 409, Contains: []string{`"limit":"fields_per_model"`}},
		{Name: "shrinking is allowed over the quota", Method: "DELETE", Path: "/api/v1/t/acme/models/a/fields/f2?allow_data_loss=true", Key: ak, Status: 200},
		{Name: "dropping a model is allowed over the quota", Method: "DELETE", Path: "/api/v1/t/acme/models/b?allow_data_loss=true", Key: ak, Status: 200},
		{Name: "event replaces a", Method: "DELETE", Path: "/api/v1/t/acme/models/a?allow_data_loss=true", Key: ak, Status: 200},
		{Name: "raise fields", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: `{"limits":{"fields_per_model":null}}`, Status: 200},
		{Name: "event", Method: "PUT", Path: "/api/v1/t/acme/models/event", Key: ak, Body: loadEventModel, Status: 200},
		{Name: "a bulk of 3", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: three, Status: 409,
			Contains: []string{`"code":"quota_exceeded"`, `"limit":"bulk_rows"`, `"max":2`}},
		{Name: "a bulk of 2", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: `[{"country":"PL"},{"country":"DE"}]`, Status: 201},
		{Name: "bulk reset", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: `{"limits":{"bulk_rows":null}}`, Status: 200},
		{Name: "a bulk of 3 again", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: three, Status: 201},
	})
}

func TestTenantLimitCachesHaveGauges(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "GET", "/api/v1/t/acme", acme.Read, "")
	body := s.Do("GET", "/metrics", "", "").Body.String()
	for _, want := range []string{"forma_tenant_inflight_entries 1", "forma_tenant_usage_cache_entries 1", "forma_tenant_ratelimit_entries 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// records counts model event's records of tenant slug, through the API.
func records(t *testing.T, s *apitest.Server, slug, key string) int {
	t.Helper()
	var page struct{ Data []map[string]any }
	s.MustJSON(t, 200, &page, "GET", "/api/v1/t/"+slug+"/data/event?limit=100", key, "")
	return len(page.Data)
}

func TestRowsPerModelRefusesCreatesPastItAndWritesNothing(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme, bolt := s.Tenant(t, "acme"), s.Tenant(t, "bolt")
	for _, tn := range []apitest.Tenant{acme, bolt} {
		s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/"+tn.Slug+"/models/event", tn.Admin, loadEventModel)
	}
	pk, w := s.AdminKey, acme.Write
	one, two := `{"country":"PL"}`, `[{"country":"PL"},{"country":"DE"}]`
	var first struct{ ID int64 }
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", pk, `{"limits":{"rows_per_model":3}}`)
	s.MustJSON(t, 201, &first, "POST", "/api/v1/t/acme/data/event", w, one)
	rec := "/api/v1/t/acme/data/event/" + strconv.FormatInt(first.ID, 10)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a bulk up to the quota", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: two, Status: 201},
		{Name: "one more", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: one, Status: 409,
			Contains: []string{`"code":"quota_exceeded"`, `"limit":"rows_per_model"`, `"max":3`, `"usage":3`}},
		{Name: "another tenant is not limited", Method: "POST", Path: "/api/v1/t/bolt/data/event", Key: bolt.Write,
			Body: `[{"country":"PL"},{"country":"DE"},{"country":"US"},{"country":"GB"}]`, Status: 201},
		{Name: "updates at the quota", Method: "PATCH", Path: rec, Key: w, Body: `{"country":"US"}`, Status: 200},
		{Name: "deletes at the quota", Method: "DELETE", Path: rec, Key: w, Status: 204},
		{Name: "a bulk that would pass it", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: two, Status: 409,
			Contains: []string{`"limit":"rows_per_model"`, `"max":3`, `"usage":2`}},
		{Name: "one into the place deleted", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: one, Status: 201},
	})
	if n := records(t, s, "acme", w); n != 3 {
		t.Fatalf("acme holds %d records, want 3: a refused create wrote something", n)
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "the quota back to none", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: pk, Body: `{"limits":{"rows_per_model":null}}`, Status: 200},
		{Name: "creates again", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: w, Body: two, Status: 201},
	})
	if n := records(t, s, "acme", w); n != 5 {
		t.Fatalf("acme holds %d records, want 5", n)
	}
}

// Rows a tenant had before its quota was set, and rows this replica did not create, are
// counted: the first create measures the model exactly.
func TestRowsPerModelCountsRowsItDidNotSeeCreated(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, tenantLimits(map[limits.Name]int64{limits.RowsPerModel: 4}))
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	if _, err := s.App.DB.Exec(`INSERT INTO t1_acme.event (country) VALUES ('PL'), ('DE'), ('US')`); err != nil {
		t.Fatal(err)
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a bulk past the default quota", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write,
			Body: `[{"country":"PL"},{"country":"DE"}]`, Status: 409, Contains: []string{`"limit":"rows_per_model"`, `"max":4`, `"usage":3`}},
		{Name: "one up to it", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: `{"country":"PL"}`, Status: 201},
		{Name: "its own quota is higher", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: s.AdminKey, Body: `{"limits":{"rows_per_model":5}}`, Status: 200},
		{Name: "one more", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: `{"country":"PL"}`, Status: 201},
		{Name: "and no more", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: `{"country":"PL"}`, Status: 409,
			Contains: []string{`"max":5`, `"usage":5`}},
	})
}

func TestStorageBytesRefusesCreatesAndAllowsDeletes(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	var made struct{ Data []struct{ ID int64 } }
	s.MustJSON(t, 201, &made, "POST", "/api/v1/t/acme/data/event", acme.Write, `[{"country":"PL"},{"country":"DE"}]`)
	rec := "/api/v1/t/acme/data/event/" + strconv.FormatInt(made.Data[0].ID, 10)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a quota below what it stores", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: s.AdminKey,
			Body: `{"limits":{"storage_bytes":1}}`, Status: 200},
		{Name: "a create", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: `{"country":"PL"}`, Status: 409,
			Contains: []string{`"code":"quota_exceeded"`, `"limit":"storage_bytes"`, `"max":1`, `"usage":`}},
		{Name: "a bulk", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: `[{"country":"PL"}]`, Status: 409,
			Contains: []string{`"limit":"storage_bytes"`}},
		{Name: "an update", Method: "PUT", Path: rec, Key: acme.Write, Body: `{"country":"US"}`, Status: 200},
		{Name: "a delete", Method: "DELETE", Path: rec, Key: acme.Write, Status: 204},
	})
	if n := records(t, s, "acme", acme.Write); n != 1 {
		t.Fatalf("acme holds %d records, want 1", n)
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "the quota back to none", Method: "PATCH", Path: "/api/v1/tenants/acme", Key: s.AdminKey,
			Body: `{"limits":{"storage_bytes":null}}`, Status: 200},
		{Name: "creates again", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: `{"country":"PL"}`, Status: 201},
	})
}

// metric reads a gauge's value from /metrics.
func metric(t *testing.T, s *apitest.Server, name string) string {
	t.Helper()
	for line := range strings.SplitSeq(s.Do("GET", "/metrics", "", "").Body.String(), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	t.Fatalf("/metrics lacks %s", name)
	return ""
}

// A tenant with neither rows_per_model nor storage_bytes is never measured: its creates
// cost nothing more than before.
func TestTenantsWithoutQuotasAreNotMeasured(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	for range 3 {
		s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL"}`)
		s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `[{"country":"PL"},{"country":"DE"}]`)
	}
	if q, u := metric(t, s, "forma_tenant_quota_entries"), metric(t, s, "forma_tenant_usage_cache_entries"); q != "0" || u != "0" {
		t.Fatalf("without quotas: %s tenants' rows kept, %s tenants measured; want none", q, u)
	}
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"rows_per_model":1000}}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL"}`)
	if q, u := metric(t, s, "forma_tenant_quota_entries"), metric(t, s, "forma_tenant_usage_cache_entries"); q != "1" || u != "1" {
		t.Fatalf("with a quota: %s tenants' rows kept, %s tenants measured; want 1", q, u)
	}
}

// Concurrent creates hold their rows against the quota while they run: one replica lets
// no more through than the quota leaves.
func TestRowsPerModelHoldsUnderConcurrentCreates(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"rows_per_model":10}}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL"}`) // counted: 1
	codes := make([]int, 24)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range codes {
		wg.Go(func() {
			<-start
			codes[i] = s.Do("POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL"}`).Code
		})
	}
	close(start)
	wg.Wait()
	by := map[int]int{}
	for _, c := range codes {
		by[c]++
	}
	if by[201] != 9 || by[409] != 15 {
		t.Fatalf("answers %v, want 9 created and 15 refused", by)
	}
	if n := records(t, s, "acme", acme.Write); n != 10 {
		t.Fatalf("acme holds %d records, want 10", n)
	}
}

// Rows this replica did not create (another replica's, or written past the API) are
// seen once its count is older than QuotaAge: that is the lag of the quota.
func TestRowsPerModelSeesOtherWritesWithinItsAge(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"rows_per_model":3}}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL"}`)
	if _, err := s.App.DB.Exec(`INSERT INTO t1_acme.event (country) VALUES ('DE'), ('US')`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(httpapi.QuotaAge + 100*time.Millisecond)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "counted again", Method: "POST", Path: "/api/v1/t/acme/data/event", Key: acme.Write, Body: `{"country":"PL"}`, Status: 409,
			Contains: []string{`"limit":"rows_per_model"`, `"usage":3`}},
	})
}
