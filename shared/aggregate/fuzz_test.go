package aggregate_test

import (
	"net/url"
	"slices"
	"testing"
	"unicode/utf8"

	"forma.dev/shared/aggregate"
)

// FuzzParse: any query string parses without panicking; a query without problems names
// only known columns, within its bounds, and every problem is at an aggregation's
// parameter with a code and valid UTF-8.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"group_by=country,timestamp__day&measures=count,sum:value&having=sum_value__gt:100&sort=-count&limit=5&tz=Europe/Warsaw",
		"group_by=timestamp__hour&fill=true", "measures=min:day&having=min_day:2025-01-01", "having=count:%2B5",
		"limit=-1&tz=Local&fill=x&sort=,,-", "group_by=__&measures=:&having=:__",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		agg, probs := aggregate.Parse(event, q)
		for _, p := range probs {
			if !aggregate.IsParameter(p.Path) || p.Code == "" || !utf8.ValidString(p.Message) {
				t.Fatalf("%q: problem %+v", raw, p)
			}
		}
		if len(probs) > 0 {
			return
		}
		cols := agg.Columns()
		if len(agg.Measures) == 0 || len(agg.Groups) > aggregate.MaxGroups || agg.Limit < 1 || agg.Limit > aggregate.MaxLimit {
			t.Fatalf("%q: %+v", raw, agg)
		}
		for _, k := range agg.Sort {
			if k.Column < 0 || k.Column >= len(cols) || cols[k.Column][0] != k.Name {
				t.Fatalf("%q: sort %+v of %v", raw, k, cols)
			}
		}
		for _, c := range agg.Having {
			if agg.Measures[c.Index].Name != c.Measure || !slices.Contains([]string{"", "ne", "gt", "gte", "lt", "lte"}, c.Lookup) {
				t.Fatalf("%q: having %+v", raw, c)
			}
		}
	})
}
