package records_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"forma.dev/backend/internal/records"
)

func list(t *testing.T, tbl *records.Table, q records.Querier, query string) *records.Page {
	t.Helper()
	vals, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	lq, probs := tbl.ParseList(vals)
	if len(probs) > 0 {
		t.Fatalf("%s: %v", query, probs)
	}
	page, err := tbl.ListBatched(context.Background(), q, lq)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return page
}

func ids(t *testing.T, p *records.Page) []int64 {
	out := make([]int64, len(p.Data))
	for i, r := range p.Data {
		v, _ := r.Get("id")
		out[i] = v.(int64)
	}
	return out
}

func TestFiltersSelectTheRightRows(t *testing.T) {
	t.Parallel()
	tbl, q := setup(t)
	insert(t, tbl, q,
		`{"country":"PL","source":"web","value":1,"price":"1.00","ok":true,"day":"2024-01-01","timestamp":"2024-01-01T00:00:00Z","ref":"00000000-0000-0000-0000-000000000001"}`,
		`{"country":"DE","source":"App_1","value":5,"price":"2.50","ok":false,"day":"2024-02-01","timestamp":"2024-02-01T00:00:00Z"}`,
		`{"country":"US","value":10,"ratio":1.5,"day":"2024-03-01","timestamp":"2024-03-01T00:00:00Z"}`,
	)
	scenarios := []struct {
		query string
		want  string
	}{
		{"country=PL", "[1]"},
		{"country__ne=PL", "[2 3]"},
		{"value__gt=1", "[2 3]"},
		{"value__gte=5&value__lt=10", "[2]"},
		{"value__in=1,10", "[1 3]"},
		{"source__isnull=true", "[3]"},
		{"source__isnull=false", "[1 2]"},
		{"source__contains=_", "[2]"},    // _ is literal, not a LIKE wildcard
		{"source__icontains=APP", "[2]"}, // case-insensitive
		{"source__startswith=w", "[1]"},
		{"ok=false", "[2]"},
		{"price__lte=2.5", "[1 2]"},
		{"day__gt=2024-01-15", "[2 3]"},
		{"timestamp__lt=2024-02-01T01:00:00%2B02:00", "[1]"},
		{"ref=00000000-0000-0000-0000-000000000001", "[1]"},
		{"ratio__isnull=false", "[3]"},
		{"id__in=2,3&country=US", "[3]"},
		{"sort=-value", "[3 2 1]"},
		{"sort=source", "[2 1 3]"},  // NULLs last ascending
		{"sort=-source", "[3 1 2]"}, // NULLs first descending
	}
	for _, s := range scenarios {
		if got := fmt.Sprint(ids(t, list(t, tbl, q, s.query))); got != s.want {
			t.Errorf("%s: got %s, want %s", s.query, got, s.want)
		}
	}
}

func TestBadQueriesAreProblemsNotSQL(t *testing.T) {
	t.Parallel()
	tbl, err := records.Compile("t_acme", eventModel())
	if err != nil {
		t.Fatal(err)
	}
	scenarios := []struct{ query, path, code string }{
		{"nope=1", "nope", "unknown_field"},
		{`country"--=1`, `country"--`, "unknown_field"},
		{"value__like=1", "value__like", "unknown_lookup"},
		{"ok__gt=true", "ok__gt", "unknown_lookup"},
		{"value=abc", "value", "invalid_type"},
		{"value__in=1,x", "value__in", "invalid_type"},
		{"id__in=" + strings.Repeat("1,", 1000) + "1", "id__in", "max_items"},
		{"day=2024-13-01", "day", "invalid_format"},
		{"source__isnull=maybe", "source__isnull", "invalid_type"},
		{"limit=0", "limit", "min"},
		{"limit=1001", "limit", "max"},
		{"limit=ten", "limit", "invalid_type"},
		{"sort=-nope", "sort", "unknown_field"},
		{"sort=meta", "sort", "not_allowed"},
		{"fields=id,nope", "fields", "unknown_field"},
		{"expand=country", "expand", "not_allowed"},
		{"cursor=garbage", "cursor", "invalid_format"},
		{"fields=id,country,id", "fields", "duplicate"},
		{"fields=id&fields=id", "fields", "duplicate"},
		{"sort=value&sort=-value", "sort", "duplicate"},
		{"limit=1&limit=2", "limit", "duplicate"},
		{"cursor=a&cursor=b&limit=1", "cursor", "duplicate"},
	}
	for _, s := range scenarios {
		vals, _ := url.ParseQuery(s.query)
		_, probs := tbl.ParseList(vals)
		if len(probs) != 1 || probs[0].Path != s.path || probs[0].Code != s.code {
			t.Errorf("%s: got %v, want %s at %s", s.query, probs, s.code, s.path)
		}
	}
}

func TestPagesVisitEveryRowOnceUnderConcurrentInserts(t *testing.T) {
	t.Parallel()
	tbl, q := setup(t)
	var bodies []string
	for i := 0; i < 95; i++ {
		src := `"s` + fmt.Sprint(i%7) + `"`
		if i%5 == 0 {
			src = "null" // NULLs among the sort keys
		}
		bodies = append(bodies, fmt.Sprintf(`{"country":"PL","source":%s,"value":%d}`, src, i%4))
	}
	before := insert(t, tbl, q, bodies...)
	for _, sort := range []string{"-source,value", "source,-value", "-id", "value"} {
		seen := map[int64]int{}
		cursor := ""
		for pages := 0; ; pages++ {
			page := list(t, tbl, q, "limit=10&sort="+sort+cursor)
			for _, id := range ids(t, page) {
				seen[id]++
			}
			// rows that sort after the page boundary may arrive meanwhile; none may repeat
			insert(t, tbl, q, `{"country":"DE","source":"zz","value":9}`)
			if page.NextCursor == nil {
				break
			}
			cursor = "&cursor=" + *page.NextCursor
			if pages > 50 {
				t.Fatalf("%s: no end of pages", sort)
			}
		}
		for _, r := range before {
			id, _ := r.Get("id")
			if seen[id.(int64)] != 1 {
				t.Errorf("sort %s: row %d seen %d times", sort, id, seen[id.(int64)])
			}
		}
		for id, n := range seen {
			if n > 1 {
				t.Errorf("sort %s: row %d seen %d times", sort, id, n)
			}
		}
	}
}

func TestFieldsLimitsTheColumnsButNotTheCursor(t *testing.T) {
	t.Parallel()
	tbl, q := setup(t)
	insert(t, tbl, q, `{"country":"PL","value":1}`, `{"country":"DE","value":2}`)
	page := list(t, tbl, q, "fields=country&sort=-value&limit=1")
	if len(page.Data) != 1 || page.NextCursor == nil {
		t.Fatalf("page: %+v", page)
	}
	if _, ok := page.Data[0].Get("value"); ok {
		t.Errorf("value shown though fields=country")
	}
	next := list(t, tbl, q, "fields=country&sort=-value&limit=1&cursor="+*page.NextCursor)
	if c, _ := next.Data[0].Get("country"); c != "PL" {
		t.Errorf("second page: %v", c)
	}
}

// TestAListIsPlannedOnce: Postgres makes one plan for a prepared list statement and
// reuses it, as it does for the same SQL written by hand. (With the limit as a bind
// parameter it could not cost the generic plan and planned every execution again.)
func TestAListIsPlannedOnce(t *testing.T) {
	t.Parallel()
	tbl, q := setup(t)
	pool := q.(*pgxpool.Pool)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `INSERT INTO t_acme.event (country, timestamp, value)
		SELECT (ARRAY['PL','DE','US','GB'])[1 + g % 4], now() - g * interval '1 second', g FROM generate_series(1, 20000) g;
		CREATE INDEX ON t_acme.event (country, timestamp DESC, id); ANALYZE t_acme.event`); err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(ctx) // pg_prepared_statements shows one session's statements
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for i := range 12 {
		page := list(t, tbl, conn, "country="+[]string{"PL", "DE", "US", "GB"}[i%4]+"&sort=-timestamp&limit=20")
		if len(page.Data) != 20 {
			t.Fatalf("page of %d rows", len(page.Data))
		}
	}
	var generic, custom int64
	if err := conn.QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements
		WHERE statement LIKE 'SELECT %ORDER BY%'`).Scan(&generic, &custom); err != nil {
		t.Fatal(err)
	}
	if generic < 6 {
		t.Fatalf("12 executions: %d generic plans, %d custom plans (planned each time)", generic, custom)
	}
}
