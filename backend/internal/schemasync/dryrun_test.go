package schemasync_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/plan"
)

func TestDryRunOfDataLossAnswersWhatItNeeds(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "thing", "fields": [{"name": "a", "type": "text"}, {"name": "b", "type": "text"}]}`, schemasync.Options{})
	e.exec(`INSERT INTO t_acme.thing (a, b) VALUES ('x', '1'), ('x', '2')`)
	drop := `{"name": "thing", "fields": [{"name": "a", "type": "text"}]}`

	r := e.put(drop, schemasync.Options{DryRun: true})
	if r.RefusedWithout != schemasync.RefusedWithoutDataLoss || !r.DryRun || !r.Changed || r.Version != 2 {
		t.Fatalf("dry run without the flag: %+v", r)
	}
	if !slices.ContainsFunc(r.Ops, func(op plan.Op) bool { return op.DataLoss }) ||
		!slices.ContainsFunc(r.SQL, func(s string) bool { return strings.Contains(s, "DROP COLUMN") }) {
		t.Fatalf("the answer lacks the data-losing op or its SQL: %+v", r)
	}
	if e.state().Version != 1 || e.count(`SELECT count(*) FROM information_schema.columns WHERE table_schema = 't_acme' AND column_name = 'b'`) != 1 {
		t.Fatal("a dry run changed something")
	}
	if r := e.put(drop, schemasync.Options{DryRun: true, AllowDataLoss: true}); r.RefusedWithout != "" {
		t.Fatalf("dry run with the flag: %+v", r)
	}

	// Rows in the way and a stale version are still errors.
	_, err := e.engine.PutModel(context.Background(), e.tenant,
		model(t, `{"name": "thing", "fields": [{"name": "a", "type": "text", "unique": true}]}`), schemasync.Options{DryRun: true})
	if ae := wantCode(t, err, apperr.Conflict); ae.Extra["rows"] != int64(2) {
		t.Fatalf("rows in the way: %+v", ae)
	}
	stale := int64(0)
	_, err = e.engine.PutModel(context.Background(), e.tenant, model(t, drop), schemasync.Options{DryRun: true, IfMatch: &stale})
	wantCode(t, err, apperr.PreconditionFailed)

	if _, err := e.engine.PutModel(context.Background(), e.tenant, model(t, drop), schemasync.Options{}); err == nil {
		t.Fatal("the change itself ran without the flag")
	}
}
