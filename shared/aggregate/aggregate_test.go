package aggregate_test

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"forma.dev/shared/aggregate"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/schema"
)

var event = schema.Model{Name: "event", Fields: []schema.Field{
	{Name: "timestamp", Type: "datetime"},
	{Name: "day", Type: "date"},
	{Name: "country", Type: "text", Options: fieldtype.Options{"max_length": 3.0}},
	{Name: "value", Type: "float"},
	{Name: "amount", Type: "decimal", Options: fieldtype.Options{"precision": 12.0, "scale": 4.0}},
	{Name: "qty", Type: "integer", Options: fieldtype.Options{"min": 0.0}},
	{Name: "flag", Type: "boolean"},
	{Name: "doc", Type: "json"},
	{Name: "count", Type: "integer"},
}}

func parse(t *testing.T, raw string) (aggregate.Query, []string) {
	t.Helper()
	q, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	agg, probs := aggregate.Parse(event, q)
	var codes []string
	for _, p := range probs {
		codes = append(codes, p.Path+":"+p.Code)
	}
	return agg, codes
}

func TestParseValid(t *testing.T) {
	agg, codes := parse(t, "group_by=country,timestamp__day&measures=count,sum:value,avg:qty,count_distinct:flag,max:day,sum:amount"+
		"&having=sum_value__gt:100,count:5&sort=-count,country&limit=10000&tz=Europe/Warsaw")
	if len(codes) > 0 {
		t.Fatal(codes)
	}
	want := [][2]string{{"country", "text"}, {"timestamp__day", "date"}, {"count", "integer"}, {"sum_value", "float"},
		{"avg_qty", "float"}, {"count_distinct_flag", "integer"}, {"max_day", "date"}, {"sum_amount", "decimal"}}
	if got := agg.Columns(); !reflect.DeepEqual(got, want) {
		t.Errorf("columns %v, want %v", got, want)
	}
	if agg.Limit != 10000 || agg.TZ != "Europe/Warsaw" || agg.Fill {
		t.Errorf("limit %d tz %s fill %v", agg.Limit, agg.TZ, agg.Fill)
	}
	wantHaving := []aggregate.Condition{{Measure: "sum_value", Index: 1, Lookup: "gt", Value: "100"}, {Measure: "count", Index: 0, Value: "5"}}
	if !reflect.DeepEqual(agg.Having, wantHaving) {
		t.Errorf("having %+v", agg.Having)
	}
	wantSort := []aggregate.SortKey{{Name: "count", Desc: true, Column: 2}, {Name: "country", Column: 0}}
	if !reflect.DeepEqual(agg.Sort, wantSort) {
		t.Errorf("sort %+v", agg.Sort)
	}
}

func TestParseDefaults(t *testing.T) {
	agg, codes := parse(t, "country=PL")
	if len(codes) > 0 || len(agg.Groups) != 0 || agg.Limit != aggregate.DefaultLimit || agg.TZ != "UTC" ||
		!reflect.DeepEqual(agg.Columns(), [][2]string{{"count", "integer"}}) {
		t.Errorf("%+v %v", agg, codes)
	}
	agg, codes = parse(t, "group_by=created_at__hour,id&measures=max:updated_at&fill=false")
	if len(codes) > 0 || agg.Groups[0].Answer != "datetime" || agg.Groups[1].Type != "integer" || agg.Measures[0].Answer != "datetime" {
		t.Errorf("system columns: %+v %v", agg, codes)
	}
	agg, codes = parse(t, "group_by=timestamp__month&fill=true&sort=-timestamp__month&having=")
	if len(codes) > 0 || !agg.Fill {
		t.Errorf("fill: %+v %v", agg, codes)
	}
	if _, codes = parse(t, "having=min_day__lte:2025-03-01,max_country:PL&measures=min:day,max:country,min:qty&having=min_qty__ne:-3"); len(codes) > 0 {
		t.Errorf("having on min and max: %v", codes)
	}
}

func TestParseProblems(t *testing.T) {
	for _, s := range []struct{ query, want string }{
		{"group_by=nope", "group_by:unknown_field"},
		{"group_by=country__day", "group_by:bucket_not_allowed"},
		{"group_by=day__hour", "group_by:bucket_not_allowed"},
		{"group_by=timestamp__minute", "group_by:bucket_not_allowed"},
		{"group_by=doc", "group_by:not_allowed"},
		{"group_by=country,country", "group_by:duplicate"},
		{"group_by=a,b,c,d,e,f,g,h,i", "group_by:max_items"},
		{"measures=median:value", "measures:unknown_measure"},
		{"measures=value", "measures:unknown_measure"},
		{"measures=count:value", "measures:unknown_measure"},
		{"measures=sum:nope", "measures:unknown_field"},
		{"measures=sum:country", "measures:measure_not_allowed"},
		{"measures=avg:day", "measures:measure_not_allowed"},
		{"measures=min:flag", "measures:measure_not_allowed"},
		{"measures=count_distinct:doc", "measures:measure_not_allowed"},
		{"measures=count,count", "measures:duplicate"},
		{"group_by=count", "measures:duplicate"},
		{"having=sum_value__gt:1", "having:unknown_name"},
		{"having=count__like:1", "having:unknown_lookup"},
		{"having=count__in:1", "having:unknown_lookup"},
		{"having=count", "having:invalid_format"},
		{"having=count:1.5", "having:invalid_type"},
		{"having=count:--1", "having:invalid_type"},
		{"measures=sum:value&having=sum_value:1e5", "having:invalid_type"},
		{"measures=sum:value&having=sum_value:NaN", "having:invalid_type"},
		{"measures=max:day&having=max_day:yesterday", "having:invalid_format"},
		{"sort=nope", "sort:unknown_name"},
		{"sort=country", "sort:unknown_name"},
		{"sort=count,-count", "sort:duplicate"},
		{"group_by=country__", "group_by:bucket_not_allowed"},
		{"having=count__:5", "having:unknown_lookup"},
		{"limit=0", "limit:min"},
		{"limit=10001", "limit:max"},
		{"limit=99999999999999999999999", "limit:max"},
		{"limit=ten", "limit:invalid_type"},
		{"limit=1&limit=2", "limit:duplicate"},
		{"tz=Mars/Olympus", "tz:unknown_timezone"},
		{"tz=Local", "tz:unknown_timezone"},
		{"tz=", "tz:unknown_timezone"},
		{"tz=../../etc/passwd", "tz:unknown_timezone"},
		{"fill=maybe", "fill:invalid_type"},
		{"fill=true", "fill:invalid_value"},
		{"fill=true&group_by=country", "fill:invalid_value"},
		{"fill=true&group_by=timestamp__day,country", "fill:invalid_value"},
		{"fill=true&group_by=timestamp__day&having=count__gt:1", "fill:invalid_value"},
		{"fill=true&group_by=timestamp__day&sort=count", "fill:invalid_value"},
	} {
		_, codes := parse(t, s.query)
		if !slices.Contains(codes, s.want) {
			t.Errorf("%s: problems %v, want %s", s.query, codes, s.want)
		}
	}
}

// A list past its bound is one problem, whatever its items: a long query string does
// not make one problem an item.
func TestParseCountsBeforeNames(t *testing.T) {
	many := strings.Repeat("nope,", 1000)
	for param, want := range map[string]string{"sort": "sort:max_items", "group_by": "group_by:max_items",
		"measures": "measures:max_items", "having": "having:max_items"} {
		if _, codes := parse(t, param+"="+many); !slices.Equal(codes, []string{want}) {
			t.Errorf("%s: %v, want [%s]", param, codes, want)
		}
	}
}

// TestEveryTypeTakesItsFacts: every measure and bucket a type describes parses on a
// field of that type, and every other one is refused with its code.
func TestEveryTypeTakesItsFacts(t *testing.T) {
	for _, d := range fieldtype.Describe() {
		m := schema.Model{Name: "m", Fields: []schema.Field{{Name: "f", Type: d.Name}}}
		for _, op := range fieldtype.AllMeasures() {
			_, probs := aggregate.Parse(m, url.Values{"measures": {op + ":f"}})
			if ok := slices.Contains(d.Measures, op); ok != (len(probs) == 0) {
				t.Errorf("%s: measure %s: %v", d.Name, op, probs)
			}
		}
		for _, b := range fieldtype.AllBuckets() {
			_, probs := aggregate.Parse(m, url.Values{"group_by": {"f__" + b}})
			if ok := slices.Contains(d.Buckets, b) && d.Sortable; ok != (len(probs) == 0) {
				t.Errorf("%s: bucket %s: %v", d.Name, b, probs)
			}
		}
		if len(d.Buckets) > 0 && !slices.Contains([]string{"date", "datetime"}, d.Name) {
			t.Errorf("%s: buckets %v on a type that is not a date", d.Name, d.Buckets)
		}
	}
}

func TestFiltersAndNames(t *testing.T) {
	q := url.Values{"country": {"PL"}, "value__gt": {"1"}, "group_by": {"country__day,x"}, "measures": {"count,sum:value"}, "limit": {"5"}}
	if f := aggregate.Filters(q); len(f) != 2 || f.Get("country") != "PL" {
		t.Errorf("filters %v", f)
	}
	got := aggregate.FieldsNamed(q)
	want := []aggregate.Ref{{"group_by", "country"}, {"group_by", "x"}, {"measures", "value"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields named %v", got)
	}
	if aggregate.KnownZone(strings.Repeat("A", 65)) || !aggregate.KnownZone("UTC") || !aggregate.KnownZone("America/Argentina/Buenos_Aires") {
		t.Error("KnownZone")
	}
}

// TestZonesLoad: every zone tz takes is one Go can load (records tests Postgres knows it).
func TestZonesLoad(t *testing.T) {
	zones := aggregate.Zones()
	if len(zones) < 400 || !slices.IsSorted(zones) {
		t.Fatalf("%d zones, sorted %v", len(zones), slices.IsSorted(zones))
	}
	for _, z := range zones {
		if _, err := time.LoadLocation(z); err != nil {
			t.Errorf("%s: %v", z, err)
		}
	}
}
