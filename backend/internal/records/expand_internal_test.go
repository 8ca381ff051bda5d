package records

import (
	"context"
	"strings"
	"testing"

	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/testdb"
	"forma.dev/shared/schema"
)

func TestExpandTwiceLeavesTheExpandedRecord(t *testing.T) {
	t.Parallel()
	db := testdb.OpenPool(t)
	ctx := context.Background()
	if _, err := db.PGX.Exec(ctx, `CREATE SCHEMA t_acme;
CREATE TABLE t_acme.owner (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(), email text);
CREATE TABLE t_acme.note (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(), owner bigint REFERENCES t_acme.owner(id));
INSERT INTO t_acme.owner (id, email) VALUES (1, 'a@x.io');
INSERT INTO t_acme.note (id, owner) VALUES (1, 1), (2, NULL)`); err != nil {
		t.Fatal(err)
	}
	owner, err := Compile("t_acme", schema.Model{Name: "owner", Fields: []schema.Field{{Name: "email", Type: "email"}}})
	if err != nil {
		t.Fatal(err)
	}
	note, err := Compile("t_acme", schema.Model{Name: "note", Fields: []schema.Field{{Name: "owner", Type: "relation", RelatedModel: "owner"}}})
	if err != nil {
		t.Fatal(err)
	}
	page, err := note.listBatched(ctx, db.PGX, query.List{Limit: 10, Sort: []query.SortKey{{Col: &note.byName["id"].q}}})
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{DB: db.PGX}
	ts := &Tables{ByName: map[string]*Table{"owner": owner, "note": note}}
	col := note.byName["owner"]
	if err := s.expand(ctx, ts, note, Caller{}, []*query.Column{&col.q, &col.q}, page.Data); err != nil {
		t.Fatal(err)
	}
	got := string(AppendList(nil, page.Data))
	if want := `"owner":{"id":1,`; !strings.Contains(got, want) {
		t.Fatalf("expanded twice: %s, want %s", got, want)
	}
}
