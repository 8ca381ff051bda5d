package schemasync_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/schemasync"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/schema"
)

// TestConcurrentAppliesSerialise runs 20 applies to one tenant at once, each adding a model
// to the models it reads: unless they serialise, one would lose another's model.
func TestConcurrentAppliesSerialise(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 20
	versions := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := e.engine.Apply(context.Background(), e.tenant, func(cur []schema.Model) ([]schema.Model, error) {
				name := fmt.Sprintf("m%02d", i)
				cur = append(cur, schema.Model{Name: name, Fields: []schema.Field{{Name: "v", Type: "integer"}}})
				return cur, nil
			}, schemasync.Options{Actor: fmt.Sprint(i)})
			if err == nil {
				versions[i] = res.Version
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("apply %d: %v", i, err)
		}
	}
	sort.Slice(versions, func(i, j int) bool { return versions[i] < versions[j] })
	for i, v := range versions {
		if v != int64(i+1) {
			t.Fatalf("versions %v, want 1..%d", versions, n)
		}
	}
	st := e.state()
	if st.Version != n || len(st.Models) != n {
		t.Fatalf("final state: version %d with %d models", st.Version, len(st.Models))
	}
	if h := e.count("SELECT count(DISTINCT version) FROM forma.schema_history WHERE tenant_id = ?", e.tenant.ID); h != n {
		t.Fatalf("history: %d versions", h)
	}
	e.noDrift()
}

// TestLockTimeoutIsRetried holds a lock on the table for longer than the engine's
// lock_timeout: the first attempt times out (55P03), a later one goes through.
func TestLockTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, schemasync.WithLockTimeout(100*time.Millisecond), schemasync.WithAttempts(5))
	e.put(`{"name": "thing", "fields": []}`, schemasync.Options{})
	ctx := context.Background()
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "LOCK TABLE t_acme.thing IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(300*time.Millisecond, func() { _ = tx.Rollback() })
	r := e.put(`{"name": "thing", "fields": [{"name": "a", "type": "text"}]}`, schemasync.Options{})
	if r.Version != 2 {
		t.Fatalf("after the retry: %+v", r)
	}
}

// TestHookRunsInTheTransaction checks that a hook sees the change and that its failure
// rolls the change back.
func TestHookRunsInTheTransaction(t *testing.T) {
	t.Parallel()
	fail := true
	var seen int64
	hook := func(ctx context.Context, tx bun.Tx, tn tenantref.Ref, r *schemasync.Result) error {
		if err := tx.NewRaw("SELECT version FROM forma.schema_versions WHERE tenant_id = ?", tn.ID).Scan(ctx, &seen); err != nil {
			return err
		}
		if fail {
			return errors.New("outbox down")
		}
		return nil
	}
	e := newEnv(t, schemasync.WithHook(hook))
	if _, err := e.engine.PutModel(context.Background(), e.tenant, model(t, `{"name": "thing", "fields": []}`), schemasync.Options{}); err == nil {
		t.Fatal("a failing hook did not fail the apply")
	}
	if e.state().Version != 0 || e.count("SELECT count(*) FROM pg_tables WHERE schemaname = 't_acme'") != 0 {
		t.Fatal("a failing hook left the change in place")
	}
	fail = false
	if r := e.put(`{"name": "thing", "fields": []}`, schemasync.Options{}); r.Version != 1 || seen != 1 {
		t.Fatalf("hook saw version %d, result %+v", seen, r)
	}
}
