package schemasync_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/schema"
)

// holdLock starts an apply that holds the tenant's lock until release is called: its
// hook waits inside the transaction. It returns once the lock is held.
func holdLock(t *testing.T, opts ...schemasync.Option) (e *env, release func()) {
	t.Helper()
	held, done := make(chan struct{}), make(chan struct{})
	finished := make(chan error, 1)
	hold := true
	hook := func(ctx context.Context, _ bun.Tx, _ tenantref.Ref, _ *schemasync.Result) error {
		if hold {
			hold = false
			close(held)
			<-done
		}
		return nil
	}
	e = newEnv(t, append(opts, schemasync.WithHook(hook))...)
	go func() {
		_, err := e.engine.PutModel(context.Background(), e.tenant, model(t, `{"name": "holder", "fields": []}`), schemasync.Options{})
		finished <- err
	}()
	<-held
	return e, func() {
		close(done)
		if err := <-finished; err != nil {
			t.Errorf("the apply that held the lock: %v", err)
		}
	}
}

// TestValidationBeforeTheLock sends definitions while another change holds the tenant's
// lock: an invalid one is refused at once (400), without waiting for the lock; a valid
// one waits, and when the lock stays taken through every attempt it is a 409 with
// Retry-After, not an internal error.
func TestValidationBeforeTheLock(t *testing.T) {
	t.Parallel()
	e, release := holdLock(t, schemasync.WithLockTimeout(200*time.Millisecond), schemasync.WithAttempts(2))
	defer release()
	ctx := context.Background()
	choices := make([]any, schema.MaxChoices+1)
	for i := range choices {
		choices[i] = fmt.Sprint(i)
	}
	big := schema.Model{Name: "big", Fields: []schema.Field{{Name: "c", Type: "text", Choices: choices}}}
	start := time.Now()
	_, err := e.engine.PutModel(ctx, e.tenant, big, schemasync.Options{})
	if ae := wantCode(t, err, apperr.Invalid); len(ae.Problems) != 1 || ae.Problems[0].Path != "fields[0].choices" {
		t.Fatalf("problems: %v", ae.Problems)
	}
	_, err = e.engine.ApplySchema(ctx, e.tenant, []schema.Model{{Name: "ok", Fields: []schema.Field{}}, big}, schemasync.Options{})
	if ae := wantCode(t, err, apperr.Invalid); len(ae.Problems) != 1 || ae.Problems[0].Path != "models[1].fields[0].choices" {
		t.Fatalf("problems: %v", ae.Problems)
	}
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("invalid definitions took %v: they waited for the lock", d)
	}
	_, err = e.engine.PutModel(ctx, e.tenant, model(t, `{"name": "fine", "fields": []}`), schemasync.Options{})
	ae := wantCode(t, err, apperr.Conflict)
	if ae.RetryAfter <= 0 || !strings.Contains(ae.Detail, "in progress") {
		t.Fatalf("busy: %+v", ae)
	}
}

// TestStoredModelsAreNotValidatedAgain stores a model that today's validation refuses
// (a label over MaxLabelBytes, as a model stored before the bound would have): changes
// to other models go through without validating it again; a change to it must bring it
// within the bounds.
func TestStoredModelsAreNotValidatedAgain(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "old", "fields": [{"name": "a", "type": "text"}]}`, schemasync.Options{})
	e.exec(`UPDATE forma.models SET definition = jsonb_set(definition, '{label}', to_jsonb(repeat('l', ?::int)))
		WHERE tenant_id = ? AND name = 'old'`, schema.MaxLabelBytes+1, e.tenant.ID)
	e.put(`{"name": "other", "fields": [{"name": "to_old", "type": "relation", "related_model": "old"}]}`, schemasync.Options{})
	_, err := e.engine.UpdateModel(context.Background(), e.tenant, "other", func(m *schema.Model) error {
		m.Fields = append(m.Fields, schema.Field{Name: "b", Type: "integer"})
		return nil
	}, schemasync.Options{Focus: "other"})
	if err != nil {
		t.Fatalf("a change to another model: %v", err)
	}
	_, err = e.engine.UpdateModel(context.Background(), e.tenant, "old", func(m *schema.Model) error {
		m.Fields = append(m.Fields, schema.Field{Name: "b", Type: "integer"})
		return nil
	}, schemasync.Options{Focus: "old"})
	if ae := wantCode(t, err, apperr.Invalid); len(ae.Problems) != 1 || ae.Problems[0].Path != "label" {
		t.Fatalf("problems: %v", ae.Problems)
	}
	_, err = e.engine.DeleteModel(context.Background(), e.tenant, "old", schemasync.Options{AllowDataLoss: true})
	if ae := wantCode(t, err, apperr.Invalid); len(ae.Problems) != 1 || !strings.HasSuffix(ae.Problems[0].Path, "fields[0].related_model") {
		t.Fatalf("dropping a model a relation names: %v", ae.Problems)
	}
}

// TestTenantDeletedDuringChange deletes the tenant, as the tenant service does, while a
// change of its schema waits: the change finds no tenant (404), whether it would alter
// a table or create the first one.
func TestTenantDeletedDuringChange(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name   string
		before string // a model put before the deletion, or ""
		change func(e *env) error
	}{
		{"add a field", `{"name": "thing", "fields": []}`, func(e *env) error {
			_, err := e.engine.UpdateModel(context.Background(), e.tenant, "thing", func(m *schema.Model) error {
				m.Fields = append(m.Fields, schema.Field{Name: "a", Type: "text"})
				return nil
			}, schemasync.Options{})
			return err
		}},
		{"first model", "", func(e *env) error {
			_, err := e.engine.PutModel(context.Background(), e.tenant, model(t, `{"name": "thing", "fields": []}`), schemasync.Options{})
			return err
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			if sc.before != "" {
				e.put(sc.before, schemasync.Options{})
			}
			ctx := context.Background()
			tx, err := e.db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = tx.Rollback() }()
			for _, q := range []string{"SELECT id FROM forma.tenants WHERE id = ? FOR UPDATE", "DROP SCHEMA t_acme CASCADE",
				"DELETE FROM forma.tenants WHERE id = ?"} {
				if _, err := tx.ExecContext(ctx, q, e.tenant.ID); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan error, 1)
			go func() { done <- sc.change(e) }()
			e.waitForLockWait()
			if err := tx.Commit(); err != nil {
				t.Fatal(err)
			}
			if ae := wantCode(t, <-done, apperr.NotFound); ae.Detail != "no such tenant" {
				t.Fatalf("detail: %s", ae.Detail)
			}
		})
	}
}

// waitForLockWait returns once a session of the test's database waits for a lock.
func (e *env) waitForLockWait() {
	e.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if e.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) > 0 {
			return
		}
	}
	e.t.Fatal("no session waits for a lock")
}

// TestTableOutOfColumns fills a table's 1600 column numbers with columns added and
// dropped (Postgres counts dropped columns): adding a field is then a 409 that says so.
func TestTableOutOfColumns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "thing", "fields": []}`, schemasync.Options{})
	e.exec(`DO $$ BEGIN FOR i IN 1..1597 LOOP
		EXECUTE format('ALTER TABLE t_acme.thing ADD COLUMN x%s int', i);
		EXECUTE format('ALTER TABLE t_acme.thing DROP COLUMN x%s', i);
	END LOOP; END $$`)
	_, err := e.engine.UpdateModel(context.Background(), e.tenant, "thing", func(m *schema.Model) error {
		m.Fields = append(m.Fields, schema.Field{Name: "a", Type: "text"})
		return nil
	}, schemasync.Options{})
	ae := wantCode(t, err, apperr.Conflict)
	if ae.Extra["sqlstate"] != "54011" || !strings.Contains(ae.Detail, "1600 columns") {
		t.Fatalf("%s %v", ae.Detail, ae.Extra)
	}
	if e.state().Version != 1 {
		t.Fatal("the change was stored")
	}
}

// TestFieldsNeverStoredAsNull puts a model whose fields are nil: it is stored with [].
func TestFieldsNeverStoredAsNull(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.engine.PutModel(context.Background(), e.tenant, schema.Model{Name: "bare"}, schemasync.Options{}); err != nil {
		t.Fatal(err)
	}
	if n := e.count(`SELECT count(*) FROM forma.models WHERE definition->'fields' = '[]'::jsonb`); n != 1 {
		t.Fatalf("%d models stored with fields []", n)
	}
}

// TestWaitingAppliesHoldNoConnection sends ten changes to a tenant while another holds
// its lock: they wait for their turn without a transaction, so no session waits on the
// lock in Postgres, and they all go through once it is released.
func TestWaitingAppliesHoldNoConnection(t *testing.T) {
	t.Parallel()
	e, release := holdLock(t)
	const n = 10
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := e.engine.PutModel(context.Background(), e.tenant, schema.Model{Name: fmt.Sprintf("m%d", i), Fields: []schema.Field{}}, schemasync.Options{})
			errs <- err
		}()
	}
	time.Sleep(300 * time.Millisecond)
	waiting := e.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)
	release()
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if waiting > 0 {
		t.Fatalf("%d sessions waited for the lock in Postgres", waiting)
	}
	if v := e.state().Version; v != n+1 {
		t.Fatalf("version %d, want %d", v, n+1)
	}
}
