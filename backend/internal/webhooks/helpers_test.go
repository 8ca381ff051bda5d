package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/testdb"
	"forma.dev/backend/internal/webhooks"
	"forma.dev/shared/schema"
)

// stack is one test's database with the webhooks service hooked into the schema engine
// and the data API, as app.New wires them, and one tenant "acme" with a model "event".
type stack struct {
	t      testing.TB
	db     *bun.DB
	hooks  *webhooks.Service
	engine *schemasync.Engine
	recs   *records.Service
	tenant tenantref.Ref
}

// fast are options for tests: short backoff, lease and poll, private addresses allowed.
func fast() webhooks.Options {
	return webhooks.Options{Workers: 2, Timeout: 2 * time.Second, Lease: time.Second, Poll: 50 * time.Millisecond,
		Backoff: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond}, MaxAttempts: 20, AllowPrivate: true}
}

func newStack(t testing.TB, o webhooks.Options) *stack {
	t.Helper()
	pool := testdb.OpenPool(t)
	db := pool.Bun
	ctx := context.Background()
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	s := &stack{t: t, db: db, hooks: webhooks.New(db.DB, o)}
	s.engine = schemasync.New(db, schemasync.WithHook(s.hooks.SchemaHook))
	s.recs = &records.Service{DB: pool.PGX, Catalog: catalog{db}, Events: s.hooks}
	s.tenant = tenantref.Ref{Schema: "t_acme"}
	if err := db.QueryRowContext(ctx, `INSERT INTO forma.tenants (slug, name, schema_name)
		VALUES ('acme', 'acme', 't_acme') RETURNING id`).Scan(&s.tenant.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA t_acme`); err != nil {
		t.Fatal(err)
	}
	s.apply(schema.Model{Name: "event", Fields: []schema.Field{
		{Name: "code", Type: "text", Unique: true}, {Name: "value", Type: "integer"}}})
	return s
}

// apply puts one model definition through the schema engine.
func (s *stack) apply(m schema.Model) *schemasync.Result {
	s.t.Helper()
	res, err := s.engine.Apply(context.Background(), s.tenant,
		func(cur []schema.Model) ([]schema.Model, error) {
			out := []schema.Model{m}
			for _, c := range cur {
				if c.Name != m.Name {
					out = append(out, c)
				}
			}
			return out, nil
		}, schemasync.Options{AllowDataLoss: true})
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

// subscribe adds a subscription to url and returns it with its secret.
func (s *stack) subscribe(url string, events []string, models ...string) webhooks.Subscription {
	s.t.Helper()
	sub, err := s.hooks.Create(context.Background(), s.tenant.ID, webhooks.Input{URL: &url, Events: &events, Models: &models})
	if err != nil {
		s.t.Fatal(err)
	}
	return sub
}

// create writes records of the event model, one per body.
func (s *stack) create(bodies ...string) (*records.Result, error) {
	var in []map[string]any
	for _, b := range bodies {
		var m map[string]any
		if err := json.Unmarshal([]byte(b), &m); err != nil {
			s.t.Fatal(err)
		}
		in = append(in, m)
	}
	return s.recs.Create(context.Background(), s.tenant, records.Caller{}, "event", in, 0)
}

// count returns one number from SQL.
func (s *stack) count(query string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.db.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// run starts a dispatcher ("replica") on the stack's database; stop ends it and waits.
func (s *stack) run(o webhooks.Options) (stop func()) {
	r := webhooks.New(s.db.DB, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	stop = sync.OnceFunc(func() { cancel(); <-done })
	s.t.Cleanup(stop)
	return stop
}

// catalog compiles the tenant's models from the control schema on every call.
type catalog struct{ db *bun.DB }

func (c catalog) Get(ctx context.Context, t tenantref.Ref, _ int64) (*records.Tables, error) {
	st, err := meta.Load(ctx, c.db, t.ID)
	if err != nil {
		return nil, err
	}
	ts := &records.Tables{Version: st.Version, ByName: map[string]*records.Table{}}
	for _, m := range st.Models {
		if ts.ByName[m.Name], err = records.Compile(t.Schema, m); err != nil {
			return nil, err
		}
	}
	return ts, nil
}

func (c catalog) Reload(ctx context.Context, t tenantref.Ref) (*records.Tables, error) {
	return c.Get(ctx, t, 0)
}

// hit is one request a receiver got.
type hit struct {
	id, ts, sig string
	body        []byte
	status      int
}

// receiver is a real HTTP endpoint that records every request; answer decides the
// status of each (nil: 204).
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	hits   []hit
	answer func(r *http.Request, n int) int
}

func newReceiver(t testing.TB, answer func(r *http.Request, n int) int) *receiver {
	rc := &receiver{answer: answer}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		n := len(rc.hits)
		rc.hits = append(rc.hits, hit{id: r.Header.Get("webhook-id"), ts: r.Header.Get("webhook-timestamp"),
			sig: r.Header.Get("webhook-signature"), body: body})
		rc.mu.Unlock()
		status := http.StatusNoContent
		if rc.answer != nil {
			status = rc.answer(r, n)
		}
		rc.mu.Lock()
		if r.Context().Err() == nil { // else the client is gone: it never sees the answer
			rc.hits[n].status = status
		}
		rc.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, http.StatusText(status))
	}))
	t.Cleanup(rc.Close)
	return rc
}

// got returns a copy of the requests so far.
func (rc *receiver) got() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hit(nil), rc.hits...)
}

// delivered returns the distinct webhook-ids answered with a 2xx.
func (rc *receiver) delivered() map[string]hit {
	out := map[string]hit{}
	for _, h := range rc.got() {
		if h.status >= 200 && h.status < 300 {
			out[h.id] = h
		}
	}
	return out
}

// waitFor polls cond for up to 15s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
