package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/webhooks"
)

func allowPrivate(c *config.Config) { c.WebhookAllowPrivate = true }

func TestWebhookSubscriptions(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, allowPrivate)
	acme := s.Tenant(t, "acme")
	const base = "/api/v1/t/acme/webhooks"
	var created webhooks.Subscription
	s.MustJSON(t, 201, &created, "POST", base, acme.Admin,
		`{"url":"https://example.com/hook","events":["record.created","schema.changed"],"models":["event"]}`)
	if !strings.HasPrefix(created.Secret, "whsec_") || !created.Enabled || created.ID == 0 {
		t.Fatalf("created %+v", created)
	}
	one := base + "/" + strconv.FormatInt(created.ID, 10)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "list hides secrets", Method: "GET", Path: base, Key: acme.Admin, Status: 200,
			Contains: []string{`"url":"https://example.com/hook"`, `"events":["record.created","schema.changed"]`, `"models":["event"]`},
			Excludes: []string{"whsec_", `"secret"`}},
		{Name: "get hides the secret", Method: "GET", Path: one, Key: acme.Admin, Status: 200,
			Contains: []string{`"enabled":true`}, Excludes: []string{"whsec_"}},
		{Name: "write keys may not", Method: "GET", Path: base, Key: acme.Write, Status: 403},
		{Name: "read keys may not", Method: "POST", Path: base, Key: acme.Read, Body: `{}`, Status: 403},
		{Name: "relative url", Method: "POST", Path: base, Key: acme.Admin, Body: `{"url":"/hook","events":["record.created"]}`,
			Status: 400, Contains: []string{`"path":"url"`}},
		{Name: "ftp url", Method: "POST", Path: base, Key: acme.Admin, Body: `{"url":"ftp://x.example/","events":["record.created"]}`,
			Status: 400, Contains: []string{`"path":"url"`}},
		{Name: "unknown event", Method: "POST", Path: base, Key: acme.Admin, Body: `{"url":"https://x.example/","events":["record.exploded"]}`,
			Status: 400, Contains: []string{`"path":"events[0]"`, `"code":"choice"`}},
		{Name: "no events", Method: "POST", Path: base, Key: acme.Admin, Body: `{"url":"https://x.example/","events":[]}`,
			Status: 400, Contains: []string{`"path":"events"`}},
		{Name: "missing members", Method: "POST", Path: base, Key: acme.Admin, Body: `{}`,
			Status: 400, Contains: []string{`"path":"url"`, `"path":"events"`}},
		{Name: "bad model name", Method: "POST", Path: base, Key: acme.Admin, Body: `{"url":"https://x.example/","events":["record.created"],"models":["Bad"]}`,
			Status: 400, Contains: []string{`"path":"models[0]"`}},
		{Name: "unknown member", Method: "POST", Path: base, Key: acme.Admin, Body: `{"url":"https://x.example/","events":["record.created"],"secret":"mine"}`,
			Status: 400, Contains: []string{`"path":"secret"`}},
		{Name: "patch events and disable", Method: "PATCH", Path: one, Key: acme.Admin, Body: `{"events":["record.deleted"],"enabled":false}`,
			Status: 200, Contains: []string{`"events":["record.deleted"]`, `"enabled":false`, `"url":"https://example.com/hook"`}},
		{Name: "patch a bad url", Method: "PATCH", Path: one, Key: acme.Admin, Body: `{"url":"nope"}`, Status: 400},
		{Name: "rotate shows a new secret once", Method: "POST", Path: one + "/rotate", Key: acme.Admin, Status: 200,
			Contains: []string{`"secret":"whsec_`, `"previous_secret_expires_at"`}, Excludes: []string{created.Secret}},
		{Name: "no deliveries yet", Method: "GET", Path: one + "/deliveries", Key: acme.Admin, Status: 200,
			Contains: []string{`"data":[]`, `"next_cursor":null`}},
		{Name: "bad limit", Method: "GET", Path: one + "/deliveries?limit=1000", Key: acme.Admin, Status: 400},
		{Name: "bad cursor", Method: "GET", Path: one + "/deliveries?cursor=x", Key: acme.Admin, Status: 400},
		{Name: "redeliver to a disabled webhook", Method: "POST", Path: one + "/deliveries/999/redeliver", Key: acme.Admin, Status: 409},
		{Name: "enable again", Method: "PATCH", Path: one, Key: acme.Admin, Body: `{"enabled":true}`, Status: 200,
			Contains: []string{`"enabled":true`}},
		{Name: "unknown delivery", Method: "POST", Path: one + "/deliveries/999/redeliver", Key: acme.Admin, Status: 404},
		{Name: "unknown webhook", Method: "GET", Path: base + "/999999", Key: acme.Admin, Status: 404},
		{Name: "nonsense id", Method: "GET", Path: base + "/abc", Key: acme.Admin, Status: 404},
		{Name: "deliveries of an unknown webhook", Method: "GET", Path: base + "/999999/deliveries", Key: acme.Admin, Status: 404},
		{Name: "delete", Method: "DELETE", Path: one, Key: acme.Admin, Status: 204},
		{Name: "deleted", Method: "GET", Path: one, Key: acme.Admin, Status: 404},
		{Name: "delete again", Method: "DELETE", Path: one, Key: acme.Admin, Status: 404},
	})
}

// Through the whole stack: a schema change and a record write over HTTP reach a real
// receiver signed; the deliveries are listed with their attempts and can be redelivered.
func TestWebhooksDeliverWritesMadeOverHTTP(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, allowPrivate)
	acme := s.Tenant(t, "acme")
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
	}))
	defer rc.Close()
	var sub webhooks.Subscription
	s.MustJSON(t, 201, &sub, "POST", "/api/v1/t/acme/webhooks", acme.Admin,
		`{"url":"`+rc.URL+`","events":["schema.changed","record.created"]}`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.App.Webhooks.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, `{"name":"event","fields":[{"name":"n","type":"integer"}]}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `{"n":7}`)
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	waitUntil(t, func() bool { return count() == 2 })
	types := map[string]bool{}
	for i, r := range got {
		ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		if !webhooks.Verify(sub.Secret, r.Header.Get("webhook-id"), ts, bodies[i], r.Header.Get("webhook-signature")) ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("request %d: bad signature or content type: %v", i, r.Header)
		}
		var p struct{ Type, Tenant string }
		_ = json.Unmarshal(bodies[i], &p)
		types[p.Type] = p.Tenant == "acme"
	}
	if !types["schema.changed"] || !types["record.created"] {
		t.Fatalf("got %v", types)
	}
	var page struct {
		Data []webhooks.Delivery
	}
	path := "/api/v1/t/acme/webhooks/" + strconv.FormatInt(sub.ID, 10)
	waitUntil(t, func() bool {
		s.MustJSON(t, 200, &page, "GET", path+"/deliveries", acme.Admin, "")
		return len(page.Data) == 2 && page.Data[0].Status == "succeeded" && page.Data[1].Status == "succeeded"
	})
	if d := page.Data[0]; d.Type != "record.created" || len(d.Attempts) != 1 || *d.Attempts[0].StatusCode != 200 {
		t.Fatalf("newest delivery %+v", d)
	}
	var again webhooks.Delivery
	s.MustJSON(t, 202, &again, "POST", path+"/deliveries/"+strconv.FormatInt(page.Data[0].ID, 10)+"/redeliver", acme.Admin, "")
	waitUntil(t, func() bool { return count() == 3 })
	if id := got[2].Header.Get("webhook-id"); id != page.Data[0].MessageID || id != again.MessageID {
		t.Fatalf("redelivered as %s, want %s", id, page.Data[0].MessageID)
	}
}

// waitUntil polls cond for up to 15s.
func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// A webhook URL with credentials is refused, on create and on update, and so is free
// text Postgres cannot store (a NUL character) in any member: 400 naming the member,
// never 500.
func TestWebhookCredentialsAndNULAreRefused(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, allowPrivate)
	acme := s.Tenant(t, "acme")
	const base = "/api/v1/t/acme/webhooks"
	var created webhooks.Subscription
	s.MustJSON(t, 201, &created, "POST", base, acme.Admin, `{"url":"https://example.com/hook","events":["record.created"]}`)
	one := base + "/" + strconv.FormatInt(created.ID, 10)
	creds := []string{`"path":"url"`, `"code":"invalid_value"`, "credentials"}
	nul := func(path string) []string {
		return []string{`"path":"` + path + `"`, `"code":"invalid_value"`, "NUL"}
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "create with user and password", Method: "POST", Path: base, Key: acme.Admin,
			Body: `{"url":"https://alice:s3cret@example.com/hook","events":["record.created"]}`, Status: 400, Contains: creds},
		{Name: "create with a user only", Method: "POST", Path: base, Key: acme.Admin,
			Body: `{"url":"https://alice@example.com/hook","events":["record.created"]}`, Status: 400, Contains: creds},
		{Name: "update with credentials", Method: "PATCH", Path: one, Key: acme.Admin,
			Body: `{"url":"http://alice:s3cret@example.com/hook"}`, Status: 400, Contains: creds},
		{Name: "nothing was stored", Method: "GET", Path: base, Key: acme.Admin, Status: 200,
			Contains: []string{`"url":"https://example.com/hook"`}, Excludes: []string{"s3cret", "alice"}},
		{Name: "NUL in the description", Method: "POST", Path: base, Key: acme.Admin,
			Body: `{"url":"https://example.com/","events":["record.created"],"description":"a\u0000b"}`, Status: 400,
			Contains: nul("description")},
		{Name: "NUL in the description of an update", Method: "PATCH", Path: one, Key: acme.Admin,
			Body: `{"description":"\u0000"}`, Status: 400, Contains: nul("description")},
		{Name: "NUL in the url", Method: "POST", Path: base, Key: acme.Admin,
			Body: `{"url":"https://example.com/\u0000","events":["record.created"]}`, Status: 400, Contains: nul("url")},
		{Name: "NUL in an event", Method: "PATCH", Path: one, Key: acme.Admin,
			Body: `{"events":["record.created\u0000"]}`, Status: 400, Contains: nul("events[0]")},
		{Name: "NUL in a model", Method: "PATCH", Path: one, Key: acme.Admin,
			Body: `{"models":["event\u0000"]}`, Status: 400, Contains: nul("models[0]")},
	})
}
