package httpapi_test

import (
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apitest"
)

const saleModel = `{"name":"sale","fields":[
 {"name":"at","type":"datetime"},
 {"name":"day","type":"date"},
 {"name":"country","type":"text","options":{"max_length":3}},
 {"name":"value","type":"float"},
 {"name":"qty","type":"integer"},
 {"name":"amount","type":"decimal","options":{"precision":30,"scale":2}},
 {"name":"flag","type":"boolean"}]}`

// Two rows hold 2^53+1 (a float64 cannot), one an amount past 2^64; one is at 23:30 UTC,
// the next day in Warsaw, and one at 22:30 UTC on March 31, April in Warsaw (UTC+2).
const sales = `[
 {"at":"2025-03-01T10:00:00Z","day":"2025-03-01","country":"PL","value":1.5,"qty":9007199254740993,"amount":"0.10","flag":true},
 {"at":"2025-03-01T23:30:00Z","day":"2025-03-01","country":"PL","value":2.25,"qty":9007199254740993,"amount":"0.20","flag":false},
 {"at":"2025-03-04T12:00:00Z","day":"2025-03-04","country":"DE","value":10,"qty":1,"amount":"0.30"},
 {"at":"2025-03-04T12:30:00Z","day":"2025-04-04","value":4,"qty":2,"amount":"1000000000000000000000.01"},
 {"at":"2025-03-31T22:30:00Z","day":"2025-03-31","country":"DE","value":0.1,"qty":3}]`

func startWithSales(t *testing.T) (*apitest.Server, apitest.Tenant) {
	t.Helper()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/sale", acme.Admin, saleModel)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/sale", acme.Write, sales)
	return s, acme
}

const aggPath = "/api/v1/t/acme/data/sale/aggregate?"

func TestAggregateOverHTTP(t *testing.T) {
	t.Parallel()
	s, acme := startWithSales(t)
	r := acme.Read
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "count by default", Method: "GET", Path: aggPath, Key: r, Status: 200, Contains: []string{`{"data":[{"count":5}]}`}},
		{Name: "count per country, null last", Method: "GET", Path: aggPath + "group_by=country", Key: r, Status: 200,
			Contains: []string{`{"data":[{"country":"DE","count":2},{"country":"PL","count":2},{"country":null,"count":1}]}`}},
		{Name: "integer sum past 2^53 is exact", Method: "GET", Path: aggPath + "country=PL&measures=sum:qty,avg:qty", Key: r, Status: 200,
			Contains: []string{`"sum_qty":18014398509481986,`, `"avg_qty":9007199254740992`}},
		{Name: "decimal sum is an exact string", Method: "GET", Path: aggPath + "measures=sum:amount,min:amount,max:amount", Key: r, Status: 200,
			Contains: []string{`"sum_amount":"1000000000000000000000.61"`, `"min_amount":"0.10"`, `"max_amount":"1000000000000000000000.01"`}},
		{Name: "float measures", Method: "GET", Path: aggPath + "group_by=country&country=DE&measures=sum:value,avg:value,min:value,max:value,avg:qty", Key: r, Status: 200,
			Contains: []string{`{"country":"DE","sum_value":10.1,"avg_value":5.05,"min_value":0.1,"max_value":10,"avg_qty":2}`}},
		{Name: "count distinct, min and max of dates", Method: "GET", Path: aggPath + "measures=count_distinct:flag,count_distinct:country,min:at,max:day", Key: r, Status: 200,
			Contains: []string{`{"count_distinct_flag":2,"count_distinct_country":2,"min_at":"2025-03-01T10:00:00Z","max_day":"2025-04-04"}`}},
		{Name: "day in UTC", Method: "GET", Path: aggPath + "group_by=at__day", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__day":"2025-03-01","count":2},{"at__day":"2025-03-04","count":2},{"at__day":"2025-03-31","count":1}]}`}},
		{Name: "day in Warsaw: 23:30 UTC is the next day", Method: "GET", Path: aggPath + "group_by=at__day&tz=Europe/Warsaw", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__day":"2025-03-01","count":1},{"at__day":"2025-03-02","count":1},{"at__day":"2025-03-04","count":2},{"at__day":"2025-04-01","count":1}]}`}},
		{Name: "hour in Warsaw has its offset", Method: "GET", Path: aggPath + "group_by=at__hour&tz=Europe/Warsaw&sort=-at__hour&limit=2", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__hour":"2025-04-01T00:00:00+02:00","count":1},{"at__hour":"2025-03-04T13:00:00+01:00","count":2}]}`}},
		{Name: "hour in UTC", Method: "GET", Path: aggPath + "group_by=at__hour&limit=1", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__hour":"2025-03-01T10:00:00Z","count":1}]}`}},
		{Name: "week starts on Monday", Method: "GET", Path: aggPath + "group_by=at__week&limit=1", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__week":"2025-02-24","count":2}]}`}},
		{Name: "month and year in Warsaw", Method: "GET", Path: aggPath + "group_by=at__month,at__year&tz=Europe/Warsaw", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__month":"2025-03-01","at__year":"2025-01-01","count":4},{"at__month":"2025-04-01","at__year":"2025-01-01","count":1}]}`}},
		{Name: "buckets of a date ignore tz", Method: "GET", Path: aggPath + "group_by=day__month&tz=Pacific/Kiritimati", Key: r, Status: 200,
			Contains: []string{`{"data":[{"day__month":"2025-03-01","count":4},{"day__month":"2025-04-01","count":1}]}`}},
		{Name: "fill from the first bucket, cut at the limit", Method: "GET", Path: aggPath + "group_by=at__day&fill=true&limit=3&measures=count,sum:value", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__day":"2025-03-01","count":2,"sum_value":3.75},{"at__day":"2025-03-02","count":0,"sum_value":null},{"at__day":"2025-03-03","count":0,"sum_value":null}]}`}},
		{Name: "fill from the last bucket", Method: "GET", Path: aggPath + "group_by=at__day&fill=true&limit=2&sort=-at__day", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__day":"2025-03-31","count":1},{"at__day":"2025-03-30","count":0}]}`}},
		{Name: "fill hours in Warsaw", Method: "GET", Path: aggPath + "group_by=at__hour&fill=true&limit=2&tz=Europe/Warsaw", Key: r, Status: 200,
			Contains: []string{`{"data":[{"at__hour":"2025-03-01T11:00:00+01:00","count":1},{"at__hour":"2025-03-01T12:00:00+01:00","count":0}]}`}},
		{Name: "fill answers the null group", Method: "GET", Path: aggPath + "group_by=day__month&fill=true&day__isnull=false", Key: r, Status: 200,
			Contains: []string{`{"data":[{"day__month":"2025-03-01","count":4},{"day__month":"2025-04-01","count":1}]}`}},
		{Name: "having", Method: "GET", Path: aggPath + "group_by=country&having=count__gt:1,sum_value__lt:10&measures=count,sum:value", Key: r, Status: 200,
			Contains: []string{`{"data":[{"country":"PL","count":2,"sum_value":3.75}]}`}},
		{Name: "having equal, not equal, on a max", Method: "GET", Path: aggPath + "group_by=country&having=count:2,max_day__ne:2025-03-31&measures=count,max:day", Key: r, Status: 200,
			Contains: []string{`{"data":[{"country":"PL","count":2,"max_day":"2025-03-01"}]}`}},
		{Name: "having on a datetime and a decimal average", Method: "GET",
			Path: aggPath + "group_by=country&measures=avg:amount,min:at&having=min_at__gte:2025-03-01T10:00:00Z,avg_amount__lt:0.2", Key: r, Status: 200,
			Contains: []string{`{"data":[{"country":"PL","avg_amount":"0.15000000000000000000","min_at":"2025-03-01T10:00:00Z"}]}`}},
		{Name: "having on a sum past 64 bits", Method: "GET", Path: aggPath + "measures=sum:qty&having=sum_qty__gt:99999999999999999999", Key: r, Status: 200,
			Contains: []string{`{"data":[]}`}},
		{Name: "sort by a measure, then the groups", Method: "GET", Path: aggPath + "group_by=country&measures=count,sum:value&sort=-sum_value", Key: r, Status: 200,
			Contains: []string{`{"data":[{"country":"DE","count":2,"sum_value":10.1},{"country":null,"count":1,"sum_value":4},{"country":"PL","count":2,"sum_value":3.75}]}`}},
		{Name: "sort by count then country", Method: "GET", Path: aggPath + "group_by=country&sort=-count,country", Key: r, Status: 200,
			Contains: []string{`{"data":[{"country":"DE","count":2},{"country":"PL","count":2},{"country":null,"count":1}]}`}},
		{Name: "limit", Method: "GET", Path: aggPath + "group_by=country&limit=1", Key: r, Status: 200,
			Contains: []string{`{"data":[{"country":"DE","count":2}]}`}},
		{Name: "filters are the list's", Method: "GET", Path: aggPath + "value__gt=2&country__in=PL,DE&measures=count,sum:qty", Key: r, Status: 200,
			Contains: []string{`{"data":[{"count":2,"sum_qty":9007199254740994}]}`}},
		{Name: "having drops the one row of no groups", Method: "GET", Path: aggPath + "having=count__gt:5", Key: r, Status: 200,
			Contains: []string{`{"data":[]}`}},
		{Name: "no rows: counts are 0", Method: "GET", Path: aggPath + "country=US&measures=count,sum:qty", Key: r, Status: 200,
			Contains: []string{`{"data":[{"count":0,"sum_qty":null}]}`}},
		{Name: "boolean groups", Method: "GET", Path: aggPath + "group_by=flag", Key: r, Status: 200,
			Contains: []string{`{"data":[{"flag":false,"count":1},{"flag":true,"count":1},{"flag":null,"count":3}]}`}},
		{Name: "unknown model", Method: "GET", Path: "/api/v1/t/acme/data/nope/aggregate", Key: r, Status: 404},
		{Name: "no key", Method: "GET", Path: aggPath, Status: 401},
	})
}

func TestAggregateRefusesBadInput(t *testing.T) {
	t.Parallel()
	s, acme := startWithSales(t)
	for _, c := range []struct{ query, want string }{
		{"group_by=nope", `"path":"group_by","code":"unknown_field"`},
		{"group_by=country__day", `"path":"group_by","code":"bucket_not_allowed"`},
		{"group_by=at__minute", `"path":"group_by","code":"bucket_not_allowed"`},
		{"group_by=country__", `"path":"group_by","code":"bucket_not_allowed"`},
		{"having=count__:5", `"path":"having","code":"unknown_lookup"`},
		{"sort=" + strings.Repeat("nope,", 41), `"path":"sort","code":"max_items"`},
		{"measures=sum:country", `"path":"measures","code":"measure_not_allowed"`},
		{"measures=median:value", `"path":"measures","code":"unknown_measure"`},
		{"having=sum_value__gt:1", `"path":"having","code":"unknown_name"`},
		{"having=count__gt:x", `"path":"having","code":"invalid_type"`},
		{"having=count__in:1", `"path":"having","code":"unknown_lookup"`},
		{"sort=value", `"path":"sort","code":"unknown_name"`},
		{"limit=0", `"path":"limit","code":"min"`},
		{"limit=10001", `"path":"limit","code":"max"`},
		{"tz=Mars/Base", `"path":"tz","code":"unknown_timezone"`},
		{"fill=true&group_by=country", `"path":"fill","code":"invalid_value"`},
		{"fill=yes", `"path":"fill","code":"invalid_type"`},
		{"colour=red", `"path":"colour","code":"unknown_field"`},
		{"value__like=1", `"path":"value__like","code":"unknown_lookup"`},
		{"qty=abc", `"path":"qty","code":"invalid_type"`},
		{"cursor=x", `"path":"cursor","code":"not_allowed"`},
		{"fields=country", `"path":"fields","code":"not_allowed"`},
		{"limit=1&limit=2", `"path":"limit","code":"duplicate"`},
	} {
		rec := s.Do("GET", aggPath+c.query, acme.Read, "")
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), c.want) || rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %d %s, want 400 with %s", c.query, rec.Code, rec.Body, c.want)
		}
	}
	// Every problem at once.
	rec := s.Do("GET", aggPath+"group_by=nope&tz=Nowhere&colour=red", acme.Read, "")
	for _, want := range []string{`"path":"group_by"`, `"path":"tz"`, `"path":"colour"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("all problems: lacks %s: %s", want, rec.Body)
		}
	}
}

// A float sum past double precision's range is a 400 at measures, not the database's
// refusal of a record.
func TestAggregateFloatOutOfRangeOverHTTP(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/big", acme.Admin, `{"name":"big","fields":[{"name":"v","type":"float"}]}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/big", acme.Write, `[{"v":1e308},{"v":1e308}]`)
	rec := s.Do("GET", "/api/v1/t/acme/data/big/aggregate?measures=count,sum:v", acme.Read, "")
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"path":"measures","code":"invalid_value"`) {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

// TestAggregateMatchesSQL: the answer is what a hand-written GROUP BY over the same
// table answers, for buckets in a zone with filters, sums and averages.
func TestAggregateMatchesSQL(t *testing.T) {
	t.Parallel()
	s, acme := startWithSales(t)
	for _, c := range []struct{ query, sql string }{
		{"group_by=country,at__day&tz=Europe/Warsaw&measures=count,sum:value,max:qty&value__gte=1",
			`SELECT country, (date_trunc('day', at AT TIME ZONE 'Europe/Warsaw'))::date::text, count(*), sum(value), max(qty)
			 FROM t1_acme.sale WHERE value >= 1 GROUP BY 1, 2 ORDER BY 1, 2`},
		{"group_by=at__week&tz=America/New_York&measures=avg:qty,count_distinct:country&sort=-at__week",
			`SELECT (date_trunc('week', at AT TIME ZONE 'America/New_York'))::date::text, avg(qty)::float8, count(DISTINCT country)
			 FROM t1_acme.sale GROUP BY 1 ORDER BY 1 DESC`},
	} {
		var got struct{ Data []map[string]any }
		s.MustJSON(t, 200, &got, "GET", aggPath+c.query, acme.Read, "")
		want := sqlRows(t, s.App.DB, c.sql)
		if len(got.Data) != len(want) {
			t.Fatalf("%s: %d rows, SQL %d: %v", c.query, len(got.Data), len(want), got.Data)
		}
		for i, row := range got.Data {
			var values []any
			q, _ := url.ParseQuery(c.query)
			for _, name := range strings.Split(q.Get("group_by")+","+measureNames(q.Get("measures")), ",") {
				values = append(values, row[name])
			}
			if !reflect.DeepEqual(values, want[i]) {
				t.Errorf("%s row %d: %v, SQL %v", c.query, i, values, want[i])
			}
		}
	}
}

func measureNames(measures string) string {
	return strings.NewReplacer(":", "_").Replace(measures)
}

// sqlRows runs a statement and answers its rows as JSON decodes them (numbers float64).
func sqlRows(t *testing.T, db *bun.DB, text string) [][]any {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), text)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals { // as JSON reads the answer
			b, _ := json.Marshal(v)
			if bs, ok := v.([]byte); ok {
				b, _ = json.Marshal(string(bs))
			}
			var back any
			_ = json.Unmarshal(b, &back)
			vals[i] = back
		}
		out = append(out, vals)
	}
	return out
}

// A custom role aggregates the rows its list rule shows, and cannot name the fields it
// cannot read; a role without list is refused.
func TestAggregateAppliesRoleRules(t *testing.T) {
	t.Parallel()
	s, acme := startWithSales(t)
	s.MustJSON(t, 201, nil, "PUT", "/api/v1/t/acme/roles/pl", acme.Admin,
		`{"permissions":{"sale":{"list":{"filter":{"country":"PL"},"fields":["at","value","country"]}}}}`)
	s.MustJSON(t, 201, nil, "PUT", "/api/v1/t/acme/roles/getter", acme.Admin, `{"permissions":{"sale":{"get":{"fields":"*"}}}}`)
	pl, _ := roleKey(t, s, acme.Admin, "pl")
	getter, _ := roleKey(t, s, acme.Admin, "getter")
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "only the rows it lists", Method: "GET", Path: aggPath + "group_by=country&measures=count,sum:value", Key: pl, Status: 200,
			Contains: []string{`{"data":[{"country":"PL","count":2,"sum_value":3.75}]}`}},
		{Name: "cannot group by a hidden field", Method: "GET", Path: aggPath + "group_by=qty", Key: pl, Status: 400,
			Contains: []string{`"path":"group_by","code":"forbidden_field"`}},
		{Name: "cannot measure a hidden field", Method: "GET", Path: aggPath + "measures=sum:amount", Key: pl, Status: 400,
			Contains: []string{`"path":"measures","code":"forbidden_field"`}},
		{Name: "cannot filter by a hidden field", Method: "GET", Path: aggPath + "flag=true", Key: pl, Status: 400,
			Contains: []string{`"path":"flag","code":"forbidden_field"`}},
		{Name: "a hidden field is forbidden whatever is wrong with it", Method: "GET", Path: aggPath + "measures=median:qty,avg:qty&group_by=day__hour", Key: pl, Status: 400,
			Contains: []string{`"code":"forbidden_field","message":"qty`, `"path":"group_by","code":"forbidden_field"`}, Excludes: []string{`bucket_not_allowed`, `measure_not_allowed`}},
		{Name: "no list rule", Method: "GET", Path: aggPath, Key: getter, Status: 403},
	})
}

// An aggregation past the tenant's statement_timeout_ms answers 504 timeout, as a list.
func TestAggregateTimesOut(t *testing.T) {
	t.Parallel()
	s, acme := startWithSales(t)
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"statement_timeout_ms":300}}`)
	ctx := context.Background()
	tx, err := s.App.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `LOCK TABLE t1_acme.sale IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rec := s.Do("GET", aggPath+"group_by=country", acme.Read, "")
	if rec.Code != 504 || !strings.Contains(rec.Body.String(), `"code":"timeout"`) || time.Since(start) > 5*time.Second {
		t.Fatalf("with the table held: %d %s", rec.Code, rec.Body)
	}
}
